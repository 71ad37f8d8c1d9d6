package io.parley.protocol.client;

import io.parley.protocol.jid.Jid;
import io.parley.protocol.sasl.SaslClient;
import io.parley.protocol.sasl.SaslMechanism;
import io.parley.protocol.stream.OutboundFrame;
import io.parley.protocol.stream.StreamError;
import io.parley.protocol.stream.StreamFrame;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * The client side of stream negotiation as a pure state machine, shared by the bench's load
 * clients and the server's tests: stream header, STARTTLS, optional in-band registration
 * (XEP-0077), SASL, resource binding and the optional legacy session. Feed it every inbound
 * frame; it answers with the frames to write and, at the end, the bound JID or a failure.
 * STARTTLS is requested through {@link OutboundFrame.StartTls}, so it needs a
 * {@code StartTlsStage} below the codec.
 */
public final class ClientNegotiator {

    /** How to negotiate. */
    public record Settings(String domain, String username, String password, String resource,
                           SaslMechanism mechanism, TlsPolicy tls, boolean register, io.parley.protocol.sasl.ScramCache cache) {
        public Settings {
            Objects.requireNonNull(domain, "domain");
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(mechanism, "mechanism");
            Objects.requireNonNull(tls, "tls");
        }

        public static Settings of(String domain, String username, String password) {
            return new Settings(domain, username, password, null, SaslMechanism.SCRAM_SHA_256, TlsPolicy.REQUIRED, false, null);
        }

        public Settings withResource(String r) {
            return new Settings(domain, username, password, r, mechanism, tls, register, cache);
        }

        public Settings withMechanism(SaslMechanism m) {
            return new Settings(domain, username, password, resource, m, tls, register, cache);
        }

        public Settings withTls(TlsPolicy t) {
            return new Settings(domain, username, password, resource, mechanism, t, register, cache);
        }

        /** Register the account in band first; if it exists already (conflict), log into it. */
        public Settings withRegistration(boolean r) {
            return new Settings(domain, username, password, resource, mechanism, tls, r, cache);
        }

        /** Reuse SCRAM SaltedPassword values across logins (load generators). */
        public Settings withScramCache(io.parley.protocol.sasl.ScramCache c) {
            return new Settings(domain, username, password, resource, mechanism, tls, register, c);
        }
    }

    /** What to do about TLS. */
    public enum TlsPolicy {
        /** STARTTLS must be offered and is used. */
        REQUIRED,
        /** Never start TLS (plaintext, or a Direct TLS connection that is already encrypted). */
        NONE
    }

    /** What the negotiator wants done next. */
    public sealed interface Step {
        /** Write these frames, in order. */
        record Send(List<OutboundFrame> frames) implements Step {
        }

        /** Negotiation finished: write these last frames (maybe none); the session is bound to this JID. */
        record Bound(Jid jid, List<OutboundFrame> frames) implements Step {
        }

        /** Negotiation failed; close the connection. */
        record Failed(String reason) implements Step {
        }
    }

    private enum State { OPENED, STARTTLS, REGISTERING, AUTHENTICATING, AUTHENTICATED, BINDING, SESSION, DONE }

    private final Settings settings;
    private State state = State.OPENED;
    private boolean tlsDone;
    private boolean registered;
    private SaslClient sasl;
    private Jid bound;
    private String streamId;
    private boolean needSession;
    /** The pre-authentication features, kept for SASL after an in-band registration. */
    private XmlElement preAuthFeatures;

    public ClientNegotiator(Settings settings) {
        this.settings = settings;
    }

    /** The stream id the server sent in its last header. */
    public String streamId() {
        return streamId;
    }

    /** The frames that open the first stream. */
    public List<OutboundFrame> start() {
        return List.of(header());
    }

    private OutboundFrame header() {
        XmlElement h = XmlElement.builder("stream", Namespaces.STREAMS)
                .attr("to", settings.domain())
                .attr("version", "1.0")
                .attr(Namespaces.XML, "lang", "en")
                .build();
        return new OutboundFrame.Open(h, Namespaces.CLIENT);
    }

    /** Handles one inbound frame; {@code null} means nothing to do yet. */
    public Step onFrame(StreamFrame frame) {
        if (frame instanceof StreamFrame.Open open) {
            streamId = open.attr("id");
            return null;
        }
        if (frame instanceof StreamFrame.Fault f) {
            return fail("stream fault " + f.condition().elementName() + ": " + f.text());
        }
        if (frame == StreamFrame.Close.INSTANCE) {
            return fail("the server closed the stream");
        }
        XmlElement e = ((StreamFrame.Element) frame).element();
        if (StreamError.isStreamError(e)) {
            StreamError err = StreamError.fromElement(e);
            return fail("stream error " + err.condition().elementName() + (err.text() == null ? "" : ": " + err.text()));
        }
        return switch (state) {
            case OPENED, AUTHENTICATED -> e.is("features", Namespaces.STREAMS) ? onFeatures(e) : unexpected(e);
            case STARTTLS -> onStartTlsAnswer(e);
            case REGISTERING -> onRegistered(e);
            case AUTHENTICATING -> onSasl(e);
            case BINDING -> onBound(e);
            case SESSION -> onSession(e);
            case DONE -> unexpected(e);
        };
    }

    private Step onFeatures(XmlElement features) {
        if (state == State.AUTHENTICATED) {
            if (features.element("bind", Namespaces.BIND) == null) {
                return fail("no resource binding offered");
            }
            state = State.BINDING;
            XmlElement.Builder bind = XmlElement.builder("bind", Namespaces.BIND);
            bind.textElement("resource", Namespaces.BIND, settings.resource());
            XmlElement iq = XmlElement.builder("iq", Namespaces.CLIENT).attr("type", "set").attr("id", "bind-1")
                    .child(bind.build()).build();
            XmlElement session = features.element("session", Namespaces.SESSION);
            needSession = session != null && session.element("optional", Namespaces.SESSION) == null;
            return send(new OutboundFrame.Element(iq));
        }
        preAuthFeatures = features;
        boolean tlsOffered = features.element("starttls", Namespaces.TLS) != null;
        if (!tlsDone && settings.tls() == TlsPolicy.REQUIRED) {
            if (!tlsOffered) {
                return fail("STARTTLS is required but not offered");
            }
            state = State.STARTTLS;
            return send(new OutboundFrame.Element(XmlElement.of("starttls", Namespaces.TLS)));
        }
        if (settings.register() && !registered) {
            if (features.element("register", "http://jabber.org/features/iq-register") == null) {
                return fail("in-band registration is not offered");
            }
            state = State.REGISTERING;
            XmlElement query = XmlElement.builder("query", "jabber:iq:register")
                    .textElement("username", "jabber:iq:register", settings.username())
                    .textElement("password", "jabber:iq:register", settings.password())
                    .build();
            return send(new OutboundFrame.Element(XmlElement.builder("iq", Namespaces.CLIENT)
                    .attr("type", "set").attr("id", "reg-1").child(query).build()));
        }
        return startSasl(features);
    }

    private Step startSasl(XmlElement features) {
        XmlElement mechanisms = features.element("mechanisms", Namespaces.SASL);
        if (mechanisms == null) {
            return fail("no SASL mechanisms offered");
        }
        boolean offered = mechanisms.elements("mechanism", Namespaces.SASL).stream()
                .anyMatch(m -> m.text().equals(settings.mechanism().mechanismName()));
        if (!offered) {
            return fail(settings.mechanism().mechanismName() + " is not offered");
        }
        sasl = settings.cache() == null ? SaslClient.create(settings.mechanism(), settings.username(), settings.password())
                : SaslClient.create(settings.mechanism(), settings.username(), settings.password(), settings.cache());
        state = State.AUTHENTICATING;
        return send(new OutboundFrame.Element(XmlElement.builder("auth", Namespaces.SASL)
                .attr("mechanism", settings.mechanism().mechanismName())
                .text(Base64.getEncoder().encodeToString(sasl.initialResponse()))
                .build()));
    }

    private Step onStartTlsAnswer(XmlElement e) {
        if (!e.is("proceed", Namespaces.TLS)) {
            return fail("STARTTLS refused: " + e.name());
        }
        tlsDone = true;
        state = State.OPENED;
        return send(OutboundFrame.ResetParser.INSTANCE, OutboundFrame.StartTls.INSTANCE, header());
    }

    private Step onRegistered(XmlElement e) {
        if (!e.is("iq", Namespaces.CLIENT) || !"reg-1".equals(e.attr("id"))) {
            return unexpected(e);
        }
        XmlElement error = e.element("error", Namespaces.CLIENT);
        boolean exists = "error".equals(e.attr("type")) && error != null
                && error.element("conflict", Namespaces.STANZA_ERRORS) != null;
        if (!"result".equals(e.attr("type")) && !exists) {
            return fail("registration failed: " + e);
        }
        registered = true;
        state = State.OPENED;
        // the server does not repeat its features after registration: use the ones it sent
        return startSasl(preAuthFeatures);
    }

    private Step onSasl(XmlElement e) {
        if (!e.namespace().equals(Namespaces.SASL)) {
            return unexpected(e);
        }
        try {
            switch (e.name()) {
                case "challenge" -> {
                    byte[] response = sasl.evaluateChallenge(Base64.getDecoder().decode(e.text()));
                    return send(new OutboundFrame.Element(XmlElement.builder("response", Namespaces.SASL)
                            .text(Base64.getEncoder().encodeToString(response)).build()));
                }
                case "success" -> {
                    String data = e.text();
                    sasl.verifySuccess(data.isEmpty() ? null : Base64.getDecoder().decode(data));
                    state = State.AUTHENTICATED;
                    return send(OutboundFrame.ResetParser.INSTANCE, header());
                }
                case "failure" -> {
                    XmlElement cond = e.firstElement();
                    return fail("SASL failure " + (cond == null ? "" : cond.name()));
                }
                default -> {
                    return unexpected(e);
                }
            }
        } catch (SaslClient.SaslClientException | IllegalArgumentException ex) {
            return fail("SASL: " + ex.getMessage());
        }
    }

    private Step onBound(XmlElement e) {
        if (!e.is("iq", Namespaces.CLIENT) || !"bind-1".equals(e.attr("id"))) {
            return unexpected(e);
        }
        if (!"result".equals(e.attr("type"))) {
            return fail("bind failed: " + e);
        }
        XmlElement bind = e.element("bind", Namespaces.BIND);
        String jid = bind == null ? null : bind.elementText("jid", Namespaces.BIND);
        if (jid == null) {
            return fail("bind result without a JID");
        }
        bound = Jid.of(jid);
        if (needSession) {
            state = State.SESSION;
            return send(new OutboundFrame.Element(XmlElement.builder("iq", Namespaces.CLIENT).attr("type", "set")
                    .attr("id", "sess-1").child(XmlElement.of("session", Namespaces.SESSION)).build()));
        }
        state = State.DONE;
        return new Step.Bound(bound, List.of());
    }

    private Step onSession(XmlElement e) {
        if (!e.is("iq", Namespaces.CLIENT) || !"sess-1".equals(e.attr("id")) || !"result".equals(e.attr("type"))) {
            return fail("session establishment failed: " + e);
        }
        state = State.DONE;
        return new Step.Bound(bound, List.of());
    }

    private Step send(OutboundFrame... frames) {
        List<OutboundFrame> list = new ArrayList<>(List.of(frames));
        return new Step.Send(list);
    }

    private Step unexpected(XmlElement e) {
        return fail("unexpected " + new String(io.parley.protocol.xml.XmlWriter.toBytes(e), StandardCharsets.UTF_8));
    }

    private Step fail(String reason) {
        state = State.DONE;
        return new Step.Failed(reason);
    }
}
