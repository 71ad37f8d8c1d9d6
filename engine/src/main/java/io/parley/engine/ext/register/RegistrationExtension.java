package io.parley.engine.ext.register;

import io.parley.engine.ext.Extension;
import io.parley.engine.ext.ExtensionRegistry;
import io.parley.engine.ext.IqReply;
import io.parley.engine.ext.IqRequest;
import io.parley.engine.ext.IqTarget;
import io.parley.engine.session.Account;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.jid.JidFormatException;
import io.parley.protocol.sasl.StoredCredentials;
import io.parley.protocol.stanza.Iq;
import io.parley.protocol.stanza.StanzaError;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xml.XmlElement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * XEP-0077: In-Band Registration: new accounts before authentication (rate-limited per source
 * address), password change and account removal after it.
 */
public final class RegistrationExtension implements Extension {

    public static final String NS = "jabber:iq:register";

    /** Registrations per source address, shared by the node's connections (one extension object per node). */
    private RegistrationLimiter limiter;

    @Override
    public String spec() {
        return "XEP-0077: In-Band Registration 2.4";
    }

    @Override
    public void register(ExtensionRegistry r) {
        r.serverFeature(NS);
        limiter = new RegistrationLimiter(r.settings().registration().perAddressPerHour(), java.time.Clock.systemUTC());
        if (r.settings().registration().enabled()) {
            r.iq(IqTarget.UNAUTHENTICATED, Iq.Type.GET, NS, "query", this::form);
            r.iq(IqTarget.UNAUTHENTICATED, Iq.Type.SET, NS, "query", this::create);
        }
        r.iq(List.of(IqTarget.SERVER, IqTarget.OWN_ACCOUNT), Iq.Type.GET, NS, "query", this::registered);
        r.iq(List.of(IqTarget.SERVER, IqTarget.OWN_ACCOUNT), Iq.Type.SET, NS, "query", this::change);
    }

    private CompletionStage<IqReply> form(IqRequest req) {
        return req.result(XmlElement.builder("query", NS)
                .textElement("instructions", NS, "Choose a user name and password for your new account.")
                .child(XmlElement.of("username", NS))
                .child(XmlElement.of("password", NS))
                .build());
    }

    private CompletionStage<IqReply> create(IqRequest req) {
        XmlElement q = req.payload();
        if (q.element("remove", NS) != null) {
            return req.error(StanzaErrorCondition.FORBIDDEN);
        }
        String username = q.elementText("username", NS);
        String password = q.elementText("password", NS);
        if (username == null || password == null || username.isEmpty() || password.isEmpty()) {
            return req.error(StanzaError.of(StanzaErrorCondition.NOT_ACCEPTABLE, "a user name and a password are required"));
        }
        Jid account;
        try {
            account = Jid.of(username, req.services().domain().domain(), null);
        } catch (JidFormatException e) {
            return req.error(StanzaError.of(StanzaErrorCondition.JID_MALFORMED, "not a valid user name"));
        }
        if (!limiter.tryAcquire(req.session().remoteAddress())) {
            return req.error(StanzaError.of(StanzaErrorCondition.RESOURCE_CONSTRAINT, "too many registrations from your address"));
        }
        return credentials(req, password).thenCompose(creds -> creds == null
                ? req.error(StanzaError.of(StanzaErrorCondition.NOT_ACCEPTABLE, "the password has characters that are not allowed"))
                : req.services().<Account.Reply>askUser(account, rt -> new Account.Create(creds, rt))
                        .thenApply(reply -> switch (reply) {
                            case DONE -> req.resultNow(null);
                            case STORE_FAILED -> req.errorNow(StanzaErrorCondition.RESOURCE_CONSTRAINT);
                            default -> req.errorNow(StanzaErrorCondition.CONFLICT);
                        }));
    }

    private CompletionStage<IqReply> registered(IqRequest req) {
        return req.result(XmlElement.builder("query", NS)
                .child(XmlElement.of("registered", NS))
                .textElement("username", NS, req.from().local())
                .child(XmlElement.of("password", NS))
                .build());
    }

    private CompletionStage<IqReply> change(IqRequest req) {
        XmlElement q = req.payload();
        Jid account = req.from().bare();
        if (q.element("remove", NS) != null) {
            return req.services().<Account.Reply>askUser(account,
                            rt -> new Account.Delete(req.from().resource(), rt))
                    .thenApply(r -> new IqReply(req.iq().resultReply(), List.of(), true));
        }
        String username = q.elementText("username", NS);
        String password = q.elementText("password", NS);
        if (username == null || password == null || password.isEmpty()) {
            return req.error(StanzaErrorCondition.BAD_REQUEST);
        }
        String local;
        try {
            local = Jid.enforceLocalpart(username);
        } catch (JidFormatException e) {
            return req.error(StanzaErrorCondition.NOT_ALLOWED);
        }
        if (!local.equals(account.local())) {
            return req.error(StanzaErrorCondition.NOT_ALLOWED);
        }
        return credentials(req, password).thenCompose(creds -> creds == null
                ? req.error(StanzaErrorCondition.NOT_ACCEPTABLE)
                : req.services().<Account.Reply>askUser(account, rt -> new Account.ChangePassword(creds, rt))
                        .thenApply(r -> switch (r) {
                            case DONE -> req.resultNow(null);
                            case STORE_FAILED -> req.errorNow(StanzaErrorCondition.RESOURCE_CONSTRAINT);
                            default -> req.errorNow(StanzaErrorCondition.ITEM_NOT_FOUND);
                        }));
    }

    /** Salts and hashes the password away from the connection's thread; null when PRECIS refuses it. */
    private static CompletionStage<StoredCredentials> credentials(IqRequest req, String password) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return StoredCredentials.fromPassword(password);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }, req.services().blockingExecutor());
    }
}
