package io.parley.engine.ext.disco;

import io.parley.engine.ext.Extension;
import io.parley.engine.ext.ExtensionRegistry;
import io.parley.engine.ext.IqHandler;
import io.parley.engine.ext.IqReply;
import io.parley.engine.ext.IqRequest;
import io.parley.engine.ext.IqTarget;
import io.parley.engine.session.UserEntity;
import io.parley.protocol.stanza.Iq;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xep.caps.EntityCaps;
import io.parley.protocol.xep.disco.DiscoIdentity;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;

/**
 * XEP-0030: Service Discovery for the server and for accounts, and XEP-0115: Entity
 * Capabilities of the server in its stream features. Register it after every other extension:
 * it reads what they declared to compute the caps hash.
 */
public final class DiscoExtension implements Extension {

    public static final String CAPS_NODE = "https://parley.io";

    /** The server's services (XEP-0030 section 4: the server lists them in its disco#items), read from the settings. */
    private List<String> services = List.of();

    @Override
    public String spec() {
        return "XEP-0030: Service Discovery 2.5; XEP-0115: Entity Capabilities 1.6 (server caps)";
    }

    @Override
    public void register(ExtensionRegistry r) {
        var muc = r.settings().muc();
        services = muc.enabled() ? List.of(muc.subdomain() + "." + r.settings().domain().domain()) : List.of();
        r.serverIdentity(DiscoIdentity.of("server", "im", "Parley"));
        r.serverFeature(Namespaces.DISCO_INFO);
        r.serverFeature(Namespaces.DISCO_ITEMS);
        r.serverFeature(Namespaces.CAPS);
        r.accountFeature(Namespaces.DISCO_INFO);
        r.accountFeature(Namespaces.DISCO_ITEMS);
        r.iq(IqTarget.SERVER, Iq.Type.GET, Namespaces.DISCO_INFO, "query", req -> serverInfo(r, req));
        r.iq(IqTarget.SERVER, Iq.Type.GET, Namespaces.DISCO_ITEMS, "query", req -> serverItems(r, req));
        r.iq(List.of(IqTarget.OWN_ACCOUNT, IqTarget.OTHER_ACCOUNT), Iq.Type.GET, Namespaces.DISCO_INFO, "query", req -> accountInfo(r, req));
        r.iq(List.of(IqTarget.OWN_ACCOUNT, IqTarget.OTHER_ACCOUNT), Iq.Type.GET, Namespaces.DISCO_ITEMS, "query", req -> accountItems(r, req));
        String ver = EntityCaps.ver("sha-1", r.serverIdentities(), new ArrayList<>(r.serverFeatures()), List.of());
        r.streamFeature(false, EntityCaps.element(CAPS_NODE, ver));
    }

    /** The server's disco#info result, as caps hash it (XEP-0115 5.1). */
    static XmlElement serverInfoQuery(ExtensionRegistry r, String node) {
        XmlElement.Builder q = XmlElement.builder("query", Namespaces.DISCO_INFO).attr("node", node);
        r.serverIdentities().forEach(i -> q.child(i.toElement()));
        new TreeSet<>(r.serverFeatures()).forEach(f -> q.child(feature(f)));
        return q.build();
    }

    private CompletionStage<IqReply> serverInfo(ExtensionRegistry r, IqRequest req) {
        String node = req.payload().attr("node");
        if (node != null && !node.startsWith(CAPS_NODE + "#")) {
            return req.error(StanzaErrorCondition.ITEM_NOT_FOUND);
        }
        return req.result(serverInfoQuery(r, node));
    }

    private CompletionStage<IqReply> serverItems(ExtensionRegistry r, IqRequest req) {
        if (req.payload().attr("node") != null) {
            return req.error(StanzaErrorCondition.ITEM_NOT_FOUND);
        }
        XmlElement.Builder q = XmlElement.builder("query", Namespaces.DISCO_ITEMS);
        services.forEach(jid -> q.child(XmlElement.builder("item", Namespaces.DISCO_ITEMS).attr("jid", jid).build()));
        return req.result(q.build());
    }

    private CompletionStage<IqReply> accountInfo(ExtensionRegistry r, IqRequest req) {
        String node = req.payload().attr("node");
        if (node != null) {
            IqHandler h = req.target() == IqTarget.OWN_ACCOUNT ? r.discoNode(node, false) : null;
            return h != null ? h.handle(req) : req.error(StanzaErrorCondition.ITEM_NOT_FOUND);
        }
        return exists(req).thenApply(exists -> {
            if (!exists) {
                return req.errorNow(StanzaErrorCondition.SERVICE_UNAVAILABLE);
            }
            XmlElement.Builder q = XmlElement.builder("query", Namespaces.DISCO_INFO)
                    .child(DiscoIdentity.of("account", "registered", null).toElement());
            r.accountFeatures().forEach(f -> q.child(feature(f)));
            return req.resultNow(q.build());
        });
    }

    private CompletionStage<IqReply> accountItems(ExtensionRegistry r, IqRequest req) {
        String node = req.payload().attr("node");
        if (node != null) {
            IqHandler h = req.target() == IqTarget.OWN_ACCOUNT ? r.discoNode(node, true) : null;
            return h != null ? h.handle(req) : req.error(StanzaErrorCondition.ITEM_NOT_FOUND);
        }
        return exists(req).thenApply(exists -> exists ? req.resultNow(XmlElement.of("query", Namespaces.DISCO_ITEMS))
                : req.errorNow(StanzaErrorCondition.SERVICE_UNAVAILABLE));
    }

    private static CompletionStage<Boolean> exists(IqRequest req) {
        return req.services().<UserEntity.LastActivity>askUser(req.to(), UserEntity.GetLastActivity::new)
                .thenApply(UserEntity.LastActivity::exists);
    }

    private static XmlElement feature(String var) {
        return XmlElement.builder("feature", Namespaces.DISCO_INFO).attr("var", var).build();
    }
}
