package io.parley.engine.ext.roster;

import io.parley.engine.ext.Extension;
import io.parley.engine.ext.ExtensionRegistry;
import io.parley.engine.ext.IqReply;
import io.parley.engine.ext.IqRequest;
import io.parley.engine.ext.IqTarget;
import io.parley.engine.roster.RosterEntity;
import io.parley.engine.roster.RosterItem;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.Iq;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * RFC 6121 section 2: Roster Management, with roster versioning (section 2.6) and
 * pre-approval (section 3.4) advertised as stream features. The roster itself lives in the
 * {@link RosterEntity}; this checks requests and shapes results.
 */
public final class RosterExtension implements Extension {

    @Override
    public String spec() {
        return "RFC 6121: roster management, versioning, pre-approval";
    }

    @Override
    public void register(ExtensionRegistry r) {
        r.iq(IqTarget.OWN_ACCOUNT, Iq.Type.GET, Namespaces.ROSTER, "query", this::get);
        r.iq(IqTarget.OWN_ACCOUNT, Iq.Type.SET, Namespaces.ROSTER, "query", this::set);
        r.iq(List.of(IqTarget.OTHER_ACCOUNT, IqTarget.SERVER), Iq.Type.GET, Namespaces.ROSTER, "query",
                req -> req.error(StanzaErrorCondition.FORBIDDEN));
        r.iq(List.of(IqTarget.OTHER_ACCOUNT, IqTarget.SERVER), Iq.Type.SET, Namespaces.ROSTER, "query",
                req -> req.error(StanzaErrorCondition.FORBIDDEN));
        r.streamFeature(false, XmlElement.of("ver", "urn:xmpp:features:rosterver"));
        r.streamFeature(false, XmlElement.of("sub", "urn:xmpp:features:pre-approval"));
    }

    private CompletionStage<IqReply> get(IqRequest req) {
        if (req.payload().firstElement() != null) {
            return req.error(StanzaErrorCondition.BAD_REQUEST);
        }
        // from now on this resource gets roster pushes (2.2)
        req.session().flag(RosterEntity.PUSHES);
        String ver = req.payload().attr("ver");
        CompletionStage<RosterEntity.RosterResult> result = req.services().askRoster(req.to(), rt -> new RosterEntity.GetRoster(ver, rt));
        return result.thenApply(res -> {
            if (res.items() == null) {
                List<XmlElement> pushes = new ArrayList<>();
                res.pushes().forEach(p -> pushes.add(p.withAttr("to", req.from().toString())));
                return new IqReply(req.iq().resultReply(), pushes, false);
            }
            XmlElement.Builder q = XmlElement.builder("query", Namespaces.ROSTER).attr("ver", res.ver());
            for (RosterItem i : res.items()) {
                q.child(i.toElement());
            }
            return req.resultNow(q.build());
        });
    }

    private CompletionStage<IqReply> set(IqRequest req) {
        List<XmlElement> items = req.payload().elements("item", Namespaces.ROSTER);
        if (items.size() != 1) {
            return req.error(StanzaErrorCondition.BAD_REQUEST);
        }
        XmlElement item = items.get(0);
        String jidAttr = item.attr("jid");
        if (jidAttr == null) {
            return req.error(StanzaErrorCondition.BAD_REQUEST);
        }
        Jid contact = Jid.ofOrNull(jidAttr);
        if (contact == null) {
            return req.error(StanzaErrorCondition.JID_MALFORMED);
        }
        CompletionStage<RosterEntity.UpdateReply> reply;
        if ("remove".equals(item.attr("subscription"))) {
            reply = req.services().askRoster(req.to(), rt -> new RosterEntity.RemoveItem(contact, rt));
        } else {
            String name = item.attr("name");
            if (name != null && name.length() > RosterEntity.MAX_TEXT) {
                return req.error(StanzaErrorCondition.NOT_ACCEPTABLE);
            }
            List<String> groups = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (XmlElement g : item.elements("group", Namespaces.ROSTER)) {
                String group = g.text();
                if (group.isEmpty() || group.length() > RosterEntity.MAX_TEXT) {
                    return req.error(StanzaErrorCondition.NOT_ACCEPTABLE);
                }
                if (!seen.add(group)) {
                    return req.error(StanzaErrorCondition.BAD_REQUEST);
                }
                groups.add(group);
            }
            String n = name == null || name.isEmpty() ? null : name;
            reply = req.services().askRoster(req.to(), rt -> new RosterEntity.SetItem(contact, n, groups, rt));
        }
        return reply.thenApply(r -> r.error() == null ? req.resultNow(null) : req.errorNow(r.error()));
    }
}
