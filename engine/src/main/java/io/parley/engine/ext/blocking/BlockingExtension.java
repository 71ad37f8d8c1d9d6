package io.parley.engine.ext.blocking;

import io.parley.engine.ext.Extension;
import io.parley.engine.ext.ExtensionRegistry;
import io.parley.engine.ext.IqReply;
import io.parley.engine.ext.IqRequest;
import io.parley.engine.ext.IqTarget;
import io.parley.engine.ext.SessionContext;
import io.parley.engine.session.Account;
import io.parley.engine.session.UserSlice;
import io.parley.persistence.JournalSerializable;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.Iq;
import io.parley.protocol.stanza.Stanza;
import io.parley.protocol.stanza.StanzaError;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xml.XmlElement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * XEP-0191: Blocking Command. The whole feature is this package: the IQs (get the list, block,
 * unblock), the session's refusal of stanzas to a blocked entity (an inbound hook, section 3.4),
 * the session's copy of the list (a signal), and the list itself on the user entity
 * ({@link BlockingFeature}: storage, enforcement on delivery, pushes).
 */
public final class BlockingExtension implements Extension {

    public static final String NS = "urn:xmpp:blocking";
    /** The session's copy of the block list, for refusing what the client sends to a blocked entity. */
    public static final SessionContext.Key<Blocked> BLOCKED = SessionContext.Key.of("blocked");
    /** Blocking runs before the other inbound hooks: a stanza to a blocked entity goes nowhere. */
    static final int PRIORITY = 1000;

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
        r.hook(ExtensionRegistry.Direction.INBOUND, PRIORITY, BlockingExtension::refuseBlocked);
        r.signal(BlockingFeature.BlocklistChanged.class, (session, s) -> session.put(BLOCKED, Blocked.of(s.blocked())));
        r.userFeature(new BlockingFeature());
    }

    @Override
    public List<Class<? extends JournalSerializable>> storedTypes() {
        return List.of(BlockingFeature.JidsBlocked.class, BlockingFeature.JidsUnblocked.class);
    }

    @Override
    public List<UserSlice<?>> userSlices() {
        return List.of(BlockingFeature.SLICE);
    }

    /**
     * Section 3.4: a stanza to a blocked entity is not routed; a message or IQ request gets
     * not-acceptable with the blocked condition, presence and responses are dropped.
     */
    static XmlElement refuseBlocked(SessionContext session, XmlElement stanza, Jid to) {
        Blocked blocked = session.get(BLOCKED);
        if (to == null || blocked == null || !blocked.covers(to)) {
            return stanza;
        }
        String type = stanza.attr("type");
        boolean answerable = !stanza.name().equals("presence") && !"error".equals(type)
                && !(stanza.name().equals("iq") && "result".equals(type));
        if (answerable) {
            session.send(Stanza.of(stanza).errorReply(StanzaError.of(StanzaErrorCondition.NOT_ACCEPTABLE)
                    .withApplicationCondition(XmlElement.of("blocked", "urn:xmpp:blocking:errors"))));
        }
        return null;
    }

    /**
     * The session's copy of the block list, by domain, so that checking each stanza the client
     * sends builds nothing (a full JID's bare and domain JIDs would be new objects).
     */
    public record Blocked(Map<String, List<Jid>> byDomain) {

        public static Blocked of(Set<Jid> jids) {
            Map<String, List<Jid>> m = new HashMap<>();
            jids.forEach(j -> m.computeIfAbsent(j.domain(), d -> new ArrayList<>()).add(j));
            m.replaceAll((d, l) -> List.copyOf(l));
            return new Blocked(Map.copyOf(m));
        }

        /** Section 3.3.1: a blocked bare JID covers its full JIDs, a blocked domain everything at it. */
        public boolean covers(Jid to) {
            List<Jid> atDomain = byDomain.get(to.domain());
            if (atDomain == null) {
                return false;
            }
            for (Jid b : atDomain) {
                if (!b.hasLocal() || b.local().equals(to.local()) && (!b.hasResource() || b.resource().equals(to.resource()))) {
                    return true;
                }
            }
            return false;
        }
    }

    private CompletionStage<IqReply> list(IqRequest req) {
        req.session().flag(BlockingFeature.PUSHES);
        CompletionStage<BlockingFeature.Blocklist> b = req.services().askUser(req.to(), BlockingFeature.GetBlocklist::new);
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
        CompletionStage<Account.Reply> reply = req.services().askUser(req.to(),
                rt -> block ? new BlockingFeature.Block(jids, rt) : new BlockingFeature.Unblock(jids, rt));
        return reply.thenApply(r -> req.resultNow(null));
    }
}
