package io.parley.engine.ext.last;

import io.parley.engine.ext.Extension;
import io.parley.engine.ext.ExtensionRegistry;
import io.parley.engine.ext.IqReply;
import io.parley.engine.ext.IqRequest;
import io.parley.engine.ext.IqTarget;
import io.parley.engine.roster.RosterEntity;
import io.parley.engine.session.UserEntity;
import io.parley.protocol.stanza.Iq;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xml.XmlElement;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * XEP-0012: Last Activity: the server's uptime, and for an account how long ago its last
 * session ended (0 while it is online), visible to the account itself and to contacts allowed
 * to see its presence.
 */
public final class LastActivityExtension implements Extension {

    public static final String NS = "jabber:iq:last";

    @Override
    public String spec() {
        return "XEP-0012: Last Activity 2.0";
    }

    @Override
    public void register(ExtensionRegistry r) {
        r.serverFeature(NS);
        r.iq(IqTarget.SERVER, Iq.Type.GET, NS, "query", req -> req.result(query(
                Duration.between(req.services().started(), req.services().clock().instant()).toSeconds(), null)));
        r.iq(IqTarget.OWN_ACCOUNT, Iq.Type.GET, NS, "query", this::account);
        r.iq(IqTarget.OTHER_ACCOUNT, Iq.Type.GET, NS, "query", this::contact);
    }

    private CompletionStage<IqReply> contact(IqRequest req) {
        CompletionStage<RosterEntity.SubscriptionReply> sub = req.services().askRoster(req.to(),
                rt -> new RosterEntity.GetSubscription(req.from().bare(), rt));
        return sub.thenCompose(s -> s.subscription().contactSeesUser() ? account(req) : req.error(StanzaErrorCondition.FORBIDDEN));
    }

    private CompletionStage<IqReply> account(IqRequest req) {
        CompletionStage<UserEntity.LastActivity> last = req.services().askUser(req.to(), UserEntity.GetLastActivity::new);
        return last.thenApply(a -> {
            if (!a.exists()) {
                return req.errorNow(StanzaErrorCondition.SERVICE_UNAVAILABLE);
            }
            if (a.online() || a.lastSeen() == null) {
                return req.resultNow(query(0, null));
            }
            long seconds = Math.max(0, Duration.between(a.lastSeen(), req.services().clock().instant()).toSeconds());
            return req.resultNow(query(seconds, a.status()));
        });
    }

    private static XmlElement query(long seconds, String status) {
        return XmlElement.builder("query", NS).attr("seconds", Long.toString(seconds)).text(status).build();
    }
}
