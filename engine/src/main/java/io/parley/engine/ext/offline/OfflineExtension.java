package io.parley.engine.ext.offline;

import io.parley.engine.ext.Extension;
import io.parley.engine.ext.ExtensionRegistry;
import io.parley.engine.ext.IqReply;
import io.parley.engine.ext.IqRequest;
import io.parley.engine.ext.IqTarget;
import io.parley.engine.session.UserSlice;
import io.parley.persistence.JournalSerializable;
import io.parley.protocol.stanza.Iq;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xep.dataforms.DataForm;
import io.parley.protocol.xep.dataforms.FormField;
import io.parley.protocol.xep.disco.DiscoIdentity;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * XEP-0013: Flexible Offline Message Retrieval (count, headers, view, fetch, remove, purge),
 * beside XEP-0160's default of delivering stored messages at initial presence. A client that
 * uses it before sending presence gets no automatic flood.
 */
public final class OfflineExtension implements Extension {

    public static final String NS = "http://jabber.org/protocol/offline";

    @Override
    public String spec() {
        return "XEP-0013: Flexible Offline Message Retrieval 1.2; XEP-0160: Best Practices for Handling Offline Messages 1.0.1";
    }

    @Override
    public void register(ExtensionRegistry r) {
        r.serverFeature(NS);
        r.serverFeature("msgoffline");
        r.discoNode(NS, this::info, this::headers);
        r.iq(IqTarget.OWN_ACCOUNT, Iq.Type.GET, NS, "offline", req -> retrieve(req, false));
        r.iq(IqTarget.OWN_ACCOUNT, Iq.Type.SET, NS, "offline", req -> retrieve(req, true));
        r.userFeature(new OfflineFeature(r.settings().offlineMaxMessages()));
    }

    @Override
    public List<Class<? extends JournalSerializable>> storedTypes() {
        return List.of(OfflineFeature.OfflineStored.class, OfflineFeature.OfflineRemoved.class);
    }

    @Override
    public List<UserSlice<?>> userSlices() {
        return List.of(OfflineFeature.SLICE);
    }

    /** Asks the user entity; from now on the session gets no flood at initial presence (the client manages them). */
    private static CompletionStage<OfflineFeature.OfflineReply> ask(IqRequest req, OfflineFeature.Op op, List<Long> ids) {
        req.session().flag(OfflineFeature.MANUAL);
        return req.services().askUser(req.to(), rt -> new OfflineFeature.Offline(req.from().resource(), op, ids, rt));
    }

    private CompletionStage<IqReply> info(IqRequest req) {
        return ask(req, OfflineFeature.Op.COUNT, List.of()).thenApply(r -> req.resultNow(
                XmlElement.builder("query", Namespaces.DISCO_INFO).attr("node", NS)
                        .child(DiscoIdentity.of("automation", "message-list", null).toElement())
                        .child(XmlElement.builder("feature", Namespaces.DISCO_INFO).attr("var", NS).build())
                        .child(DataForm.of(DataForm.Type.RESULT, List.of(
                                FormField.hidden("FORM_TYPE", NS),
                                FormField.of("number_of_messages", null, Integer.toString(r.count())))).toElement())
                        .build()));
    }

    private CompletionStage<IqReply> headers(IqRequest req) {
        return ask(req, OfflineFeature.Op.HEADERS, List.of()).thenApply(r -> {
            XmlElement.Builder q = XmlElement.builder("query", Namespaces.DISCO_ITEMS).attr("node", NS);
            for (OfflineFeature.OfflineHeader h : r.headers()) {
                q.child(XmlElement.builder("item", Namespaces.DISCO_ITEMS).attr("jid", req.to().toString())
                        .attr("node", Long.toString(h.id())).attr("name", h.from()).build());
            }
            return req.resultNow(q.build());
        });
    }

    private CompletionStage<IqReply> retrieve(IqRequest req, boolean set) {
        XmlElement q = req.payload();
        boolean all = q.element(set ? "purge" : "fetch", NS) != null;
        List<Long> ids = new ArrayList<>();
        for (XmlElement item : q.elements("item", NS)) {
            if (!(set ? "remove" : "view").equals(item.attr("action"))) {
                return req.error(StanzaErrorCondition.BAD_REQUEST);
            }
            try {
                ids.add(Long.parseLong(item.attr("node")));
            } catch (NumberFormatException e) {
                return req.error(StanzaErrorCondition.ITEM_NOT_FOUND);
            }
        }
        if (!all && ids.isEmpty()) {
            return req.error(StanzaErrorCondition.BAD_REQUEST);
        }
        OfflineFeature.Op op = set ? OfflineFeature.Op.REMOVE : OfflineFeature.Op.FETCH;
        return ask(req, op, all ? List.of() : ids).thenApply(r -> !all && r.count() < ids.size()
                ? req.errorNow(StanzaErrorCondition.ITEM_NOT_FOUND) : req.resultNow(null));
    }
}
