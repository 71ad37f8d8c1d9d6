package io.parley.engine.c2s;

import akka.actor.typed.Behavior;
import io.parley.engine.ext.IqHandler;
import io.parley.engine.ext.IqRequest;
import io.parley.engine.ext.IqTarget;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.engine.session.Account;
import io.parley.engine.session.UserEntity;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.jid.JidFormatException;
import io.parley.protocol.sasl.SaslFailure;
import io.parley.protocol.sasl.SaslMechanism;
import io.parley.protocol.sasl.SaslServer;
import io.parley.protocol.sasl.SaslStep;
import io.parley.protocol.stanza.Iq;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.stream.OutboundFrame;
import io.parley.protocol.stream.StreamErrorCondition;
import io.parley.protocol.stream.StreamFrame;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.Base64;
import java.util.concurrent.CompletionStage;

/**
 * A connection's negotiation before its session is bound (RFC 6120 4 to 7): the stream header
 * and features, STARTTLS, SASL (credentials from the user entity, key derivation on the blocking
 * dispatcher), in-band registration before authentication, and resource binding through the
 * user entity. It runs inside its {@link C2sConnection} and moves it from phase to phase.
 */
final class Negotiation {

    private final C2sConnection conn;
    private boolean authenticated;
    private SaslServer sasl;
    private int authFailures;
    private String authUser;

    Negotiation(C2sConnection conn) {
        this.conn = conn;
    }

    /** The authenticated user's local part, once SASL succeeded. */
    String authUser() {
        return authUser;
    }

    Behavior<ConnectionMessage> onStreamOpen(StreamFrame.Open open) {
        if (conn.phase != C2sConnection.Phase.WAIT_HEADER) {
            return conn.streamError(StreamErrorCondition.NOT_WELL_FORMED, "unexpected stream header");
        }
        if (!open.contentNamespace().equals(Namespaces.CLIENT)) {
            return conn.streamError(StreamErrorCondition.INVALID_NAMESPACE, "the content namespace must be jabber:client");
        }
        String to = open.attr("to");
        if (to != null) {
            Jid target = Jid.ofOrNull(to);
            if (target == null || !target.equals(conn.services.domain())) {
                return conn.streamError(StreamErrorCondition.HOST_UNKNOWN, "this server does not host " + to);
            }
        }
        String version = open.attr("version");
        if (version == null || !version.startsWith("1.")) {
            return conn.streamError(StreamErrorCondition.UNSUPPORTED_VERSION, "XMPP 1.0 streams only");
        }
        conn.sendHeader(open.attr("from"));
        if (authenticated) {
            conn.write(StreamFeatures.afterAuth(conn.services.registry()));
            conn.phase = C2sConnection.Phase.BINDING;
        } else {
            conn.write(StreamFeatures.beforeAuth(conn.secure, conn.settings.requireStarttls(), conn.services.settings().registration().enabled(),
                    conn.services.registry()));
            conn.phase = C2sConnection.Phase.NEGOTIATING;
        }
        return conn;
    }

    // ---- negotiation: STARTTLS, SASL, registration ----------------------------------------------

    Behavior<ConnectionMessage> onNegotiation(XmlElement e) {
        if (e.is("starttls", Namespaces.TLS)) {
            if (conn.secure) {
                conn.write(XmlElement.of("failure", Namespaces.TLS));
                return conn.close();
            }
            // arm TLS before <proceed/> leaves; the client's next bytes are its TLS handshake
            conn.sendFrame(OutboundFrame.ResetParser.INSTANCE);
            conn.sendFrame(OutboundFrame.StartTls.INSTANCE);
            conn.write(XmlElement.of("proceed", Namespaces.TLS));
            conn.secure = true;
            conn.phase = C2sConnection.Phase.WAIT_HEADER;
            return conn;
        }
        if (e.is("auth", Namespaces.SASL)) {
            return onAuth(e);
        }
        if (e.is("iq", Namespaces.CLIENT) && !conn.secure && conn.settings.requireStarttls()) {
            return conn.streamError(StreamErrorCondition.POLICY_VIOLATION, "STARTTLS is required first");
        }
        if (e.is("iq", Namespaces.CLIENT)) {
            return onPreAuthIq(e);
        }
        return conn.streamError(StreamErrorCondition.NOT_AUTHORIZED, "authenticate first");
    }

    private Behavior<ConnectionMessage> onAuth(XmlElement auth) {
        if (!conn.secure && conn.settings.requireStarttls()) {
            return saslFailure(SaslFailure.ENCRYPTION_REQUIRED, null);
        }
        SaslMechanism m = SaslMechanism.fromName(auth.attr("mechanism"));
        if (!StreamFeatures.offered(m, conn.secure)) {
            return saslFailure(SaslFailure.INVALID_MECHANISM, null);
        }
        byte[] initial;
        try {
            initial = decodeSasl(auth.text(), true);
        } catch (IllegalArgumentException ex) {
            return saslFailure(SaslFailure.INCORRECT_ENCODING, null);
        }
        sasl = SaslServer.create(m);
        conn.phase = C2sConnection.Phase.AUTHENTICATING;
        return onSaslStep(sasl.respond(initial));
    }

    Behavior<ConnectionMessage> onAuthenticating(XmlElement e) {
        if (e.is("abort", Namespaces.SASL)) {
            return saslFailure(SaslFailure.ABORTED, null);
        }
        if (!e.is("response", Namespaces.SASL) || sasl == null) {
            return conn.streamError(StreamErrorCondition.NOT_AUTHORIZED, "a SASL exchange is in progress");
        }
        try {
            return onSaslStep(sasl.respond(decodeSasl(e.text(), false)));
        } catch (IllegalArgumentException ex) {
            return saslFailure(SaslFailure.INCORRECT_ENCODING, null);
        }
    }

    /** SASL data: "=" is an empty message; no text at all is no initial response. */
    private static byte[] decodeSasl(String text, boolean initial) {
        String t = text.trim();
        if (t.isEmpty()) {
            return initial ? null : new byte[0];
        }
        return t.equals("=") ? new byte[0] : Base64.getDecoder().decode(t);
    }

    Behavior<ConnectionMessage> onSaslStep(SaslStep step) {
        if (conn.phase != C2sConnection.Phase.AUTHENTICATING) {
            return conn;
        }
        if (step instanceof SaslStep.Challenge c) {
            conn.write(XmlElement.builder("challenge", Namespaces.SASL).text(encodeSasl(c.data())).build());
        } else if (step instanceof SaslStep.NeedCredentials n) {
            authUser = n.username();
            SaslServer exchange = sasl;
            Jid account;
            try {
                account = Jid.of(n.username(), conn.services.domain().domain(), null);
            } catch (JidFormatException ex) {
                return saslFailure(SaslFailure.NOT_AUTHORIZED, null);
            }
            CompletionStage<SaslStep> next = conn.services.<Account.Credentials>askUser(account, Account.GetCredentials::new)
                    .thenApplyAsync(c -> exchange.credentials(c.credentials()), conn.services.blockingExecutor());
            conn.getContext().pipeToSelf(next, (s, ex) -> new C2sConnection.SaslStepped(ex == null ? s
                    : SaslStep.Failure.of(SaslFailure.TEMPORARY_AUTH_FAILURE, "the account store did not answer")));
        } else if (step instanceof SaslStep.Success s) {
            if (s.authzid() != null && !s.authzid().equals(s.username() + "@" + conn.services.domain())) {
                return saslFailure(SaslFailure.INVALID_AUTHZID, null);
            }
            authUser = s.username();
            authenticated = true;
            sasl = null;
            conn.sendFrame(OutboundFrame.ResetParser.INSTANCE);
            conn.write(XmlElement.builder("success", Namespaces.SASL)
                    .text(s.additionalData() == null ? null : Base64.getEncoder().encodeToString(s.additionalData())).build());
            conn.phase = C2sConnection.Phase.WAIT_HEADER;
        } else if (step instanceof SaslStep.Failure f) {
            return saslFailure(f.condition(), f.text());
        }
        return conn;
    }

    private static String encodeSasl(byte[] data) {
        return data.length == 0 ? "=" : Base64.getEncoder().encodeToString(data);
    }

    private Behavior<ConnectionMessage> saslFailure(SaslFailure condition, String text) {
        sasl = null;
        authFailures++;
        conn.write(XmlElement.builder("failure", Namespaces.SASL).child(XmlElement.of(condition.elementName(), Namespaces.SASL))
                .child(text == null ? null : XmlElement.builder("text", Namespaces.SASL).text(text).build()).build());
        if (authFailures >= conn.settings.maxAuthFailures()) {
            return conn.streamError(StreamErrorCondition.POLICY_VIOLATION, "too many failed authentication attempts");
        }
        conn.phase = C2sConnection.Phase.NEGOTIATING;
        return conn;
    }

    /** Before authentication only in-band registration (XEP-0077) is served. */
    private Behavior<ConnectionMessage> onPreAuthIq(XmlElement e) {
        Iq iq = Iq.of(e);
        XmlElement payload = iq.payload();
        IqHandler handler = !iq.isWellFormed() || !iq.isRequest() || payload == null ? null
                : conn.services.registry().handler(IqTarget.UNAUTHENTICATED, iq.type(), payload.namespace(), payload.name());
        if (handler == null) {
            return conn.streamError(StreamErrorCondition.NOT_AUTHORIZED, "authenticate first");
        }
        return conn.dispatchIq(handler, new IqRequest(iq, payload, null, conn.services.domain(), IqTarget.UNAUTHENTICATED, conn.services, conn));
    }

    // ---- resource binding -----------------------------------------------------------------------

    Behavior<ConnectionMessage> onBinding(XmlElement e) {
        if (!e.is("iq", Namespaces.CLIENT)) {
            return conn.streamError(StreamErrorCondition.NOT_AUTHORIZED, "bind a resource first");
        }
        Iq iq = Iq.of(e);
        XmlElement bind = iq.payload();
        if (iq.type() != Iq.Type.SET || bind == null || !bind.is("bind", Namespaces.BIND) || !iq.isWellFormed()) {
            if (iq.isRequest() && iq.id() != null) {
                conn.write(iq.errorReply(StanzaErrorCondition.NOT_ALLOWED));
                return conn;
            }
            return conn.streamError(StreamErrorCondition.NOT_AUTHORIZED, "bind a resource first");
        }
        String resource = bind.elementText("resource", Namespaces.BIND);
        if (resource != null) {
            resource = resource.trim();
            try {
                resource = resource.isEmpty() ? null : Jid.of(authUser, conn.services.domain().domain(), resource).resource();
            } catch (JidFormatException ex) {
                conn.write(iq.errorReply(StanzaErrorCondition.BAD_REQUEST));
                return conn;
            }
        }
        String requested = resource;
        Jid account = Jid.of(authUser, conn.services.domain().domain(), null);
        CompletionStage<UserEntity.BindReply> reply = conn.services.askUser(account,
                r -> new UserEntity.Bind(requested, conn.getContext().getSelf(), conn.settings.replaceOnConflict(), r));
        conn.getContext().pipeToSelf(reply, (r, ex) -> new C2sConnection.Bound(r, iq.id(), ex));
        return conn;
    }
}
