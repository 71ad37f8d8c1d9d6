package io.parley.engine.ext.blocking;

import io.parley.engine.ext.Extension;
import io.parley.engine.ext.ExtensionRegistry;
import io.parley.engine.ext.IqReply;
import io.parley.engine.ext.IqRequest;
import io.parley.engine.ext.IqTarget;
import io.parley.engine.session.UserEntity;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.Iq;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xml.XmlElement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * XEP-0191: Blocking Command: the block list lives in the user entity, which enforces it on
 * delivery; connections refuse stanzas to blocked entities; changes are pushed to the
 * resources that asked for the list.
 */
public final class BlockingExtension implements Extension {

    public static final String NS = "urn:xmpp:blocking";

    @Override
    public String spec() {
        return "XEP-0191: Blocking Command 1.3";
    }

    @Override
    public void register(ExtensionRegistry r) {
        r.serverFeature(NS);
        r.iq(IqTarget.OWN_ACCOUNT, Iq.Type.GET, NS, "blocklist", this::list);
        r.iq(IqTarget.OWN_ACCOUNT, Iq.Type.SET, NS, "block", req -> change(req, true));
        r.iq(IqTarget.OWN_ACCOUNT, Iq.Type.SET, NS, "unblock", req -> change(req, false));
    }

    private CompletionStage<IqReply> list(IqRequest req) {
        req.services().tellUser(req.to(), new UserEntity.MarkInterested(req.from().resource(), true));
        req.session().put(io.parley.engine.ext.SessionContext.BLOCKLIST_PUSHES, Boolean.TRUE);
        CompletionStage<UserEntity.Blocklist> b = req.services().askUser(req.to(), UserEntity.GetBlocklist::new);
        return b.thenApply(list -> {
            XmlElement.Builder q = XmlElement.builder("blocklist", NS);
            list.jids().forEach(j -> q.child(XmlElement.builder("item", NS).attr("jid", j.toString()).build()));
            return req.resultNow(q.build());
        });
    }

    private CompletionStage<IqReply> change(IqRequest req, boolean block) {
        List<Jid> jids = new ArrayList<>();
        for (XmlElement item : req.payload().elements("item", NS)) {
            Jid j = Jid.ofOrNull(item.attr("jid"));
            if (j == null) {
                return req.error(StanzaErrorCondition.JID_MALFORMED);
            }
            jids.add(j);
        }
        if (block && jids.isEmpty()) {
            return req.error(StanzaErrorCondition.BAD_REQUEST);
        }
        CompletionStage<UserEntity.AccountReply> reply = req.services().askUser(req.to(),
                rt -> block ? new UserEntity.Block(jids, rt) : new UserEntity.Unblock(jids, rt));
        return reply.thenApply(r -> req.resultNow(null));
    }
}
