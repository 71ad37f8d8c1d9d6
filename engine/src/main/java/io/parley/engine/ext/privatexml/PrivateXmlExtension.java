package io.parley.engine.ext.privatexml;

import io.parley.engine.ext.Extension;
import io.parley.engine.ext.ExtensionRegistry;
import io.parley.engine.ext.IqReply;
import io.parley.engine.ext.IqRequest;
import io.parley.engine.ext.IqTarget;
import io.parley.engine.storage.UserDataEntity;
import io.parley.protocol.stanza.Iq;
import io.parley.protocol.stanza.Stanza;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xml.XmlElement;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * XEP-0049: Private XML Storage: one element per (name, namespace) per account, readable and
 * writable by the account only. It carries bookmarks (XEP-0048), roster annotations (XEP-0145)
 * and nested roster groups (XEP-0083) for the clients that use them.
 */
public final class PrivateXmlExtension implements Extension {

    public static final String NS = "jabber:iq:private";

    @Override
    public String spec() {
        return "XEP-0049: Private XML Storage 1.2 (bookmarks XEP-0048, annotations XEP-0145, nested groups XEP-0083)";
    }

    @Override
    public void register(ExtensionRegistry r) {
        r.serverFeature(NS);
        r.iq(IqTarget.OWN_ACCOUNT, Iq.Type.GET, NS, "query", req -> handle(req, false));
        r.iq(IqTarget.OWN_ACCOUNT, Iq.Type.SET, NS, "query", req -> handle(req, true));
        r.iq(List.of(IqTarget.OTHER_ACCOUNT, IqTarget.SERVER), Iq.Type.GET, NS, "query", req -> req.error(StanzaErrorCondition.FORBIDDEN));
        r.iq(List.of(IqTarget.OTHER_ACCOUNT, IqTarget.SERVER), Iq.Type.SET, NS, "query", req -> req.error(StanzaErrorCondition.FORBIDDEN));
    }

    private CompletionStage<IqReply> handle(IqRequest req, boolean set) {
        List<XmlElement> children = req.payload().elements();
        if (children.size() != 1) {
            return req.error(StanzaErrorCondition.NOT_ACCEPTABLE);
        }
        XmlElement data = children.get(0);
        if (data.namespace().isEmpty() || Stanza.isStanzaNamespace(data.namespace()) || data.namespace().equals(NS)) {
            return req.error(StanzaErrorCondition.NOT_ACCEPTABLE);
        }
        String key = key(data);
        if (set) {
            CompletionStage<UserDataEntity.Stored> s = req.services().askData(req.to(), rt -> new UserDataEntity.Put(key, data, rt));
            return s.thenApply(ok -> ok.ok() ? req.resultNow(null) : req.errorNow(StanzaErrorCondition.RESOURCE_CONSTRAINT));
        }
        CompletionStage<UserDataEntity.Value> v = req.services().askData(req.to(), rt -> new UserDataEntity.Get(key, rt));
        return v.thenApply(value -> req.resultNow(XmlElement.builder("query", NS)
                .child(value.element() == null ? data.withoutChildren() : value.element()).build()));
    }

    /** User data keys of private XML documents start with this. */
    public static final String KEY_PREFIX = "private:";

    /** The user data key a private XML document is stored under: its element name and namespace. */
    public static String key(XmlElement document) {
        return KEY_PREFIX + document.name() + " " + document.namespace();
    }
}
