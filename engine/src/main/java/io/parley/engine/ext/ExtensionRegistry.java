package io.parley.engine.ext;

import io.parley.protocol.stanza.Iq;
import io.parley.protocol.xep.disco.DiscoIdentity;
import io.parley.protocol.xml.XmlElement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything the extensions serve, looked up by the connection: IQ handlers keyed by
 * (target, type, namespace, element), disco identities and features of the server and of
 * accounts, and extra stream features before and after authentication. Filled once at start,
 * read-only afterwards.
 */
public final class ExtensionRegistry {

    private record Key(IqTarget target, Iq.Type type, String namespace, String element) {
    }

    private final Map<Key, IqHandler> handlers = new HashMap<>();
    private final List<DiscoIdentity> serverIdentities = new ArrayList<>();
    private final Set<String> serverFeatures = new TreeSet<>();
    private final Set<String> accountFeatures = new TreeSet<>();
    private final List<XmlElement> preAuthStreamFeatures = new ArrayList<>();
    private final List<XmlElement> postAuthStreamFeatures = new ArrayList<>();
    private final List<String> specs = new ArrayList<>();
    private final Map<String, IqHandler[]> discoNodes = new HashMap<>();
    private boolean frozen;

    public ExtensionRegistry add(Extension extension) {
        check();
        specs.add(extension.spec());
        extension.register(this);
        return this;
    }

    /** Registers a handler; registering the same key twice is a programming error. */
    public ExtensionRegistry iq(IqTarget target, Iq.Type type, String namespace, String element, IqHandler handler) {
        check();
        if (handlers.putIfAbsent(new Key(target, type, namespace, element), handler) != null) {
            throw new IllegalStateException("two handlers for " + target + " " + type + " {" + namespace + "}" + element);
        }
        return this;
    }

    /** Registers one handler for several targets. */
    public ExtensionRegistry iq(List<IqTarget> targets, Iq.Type type, String namespace, String element, IqHandler handler) {
        targets.forEach(t -> iq(t, type, namespace, element, handler));
        return this;
    }

    public ExtensionRegistry serverIdentity(DiscoIdentity identity) {
        check();
        serverIdentities.add(identity);
        return this;
    }

    public ExtensionRegistry serverFeature(String var) {
        check();
        serverFeatures.add(var);
        return this;
    }

    public ExtensionRegistry accountFeature(String var) {
        check();
        accountFeatures.add(var);
        return this;
    }

    public ExtensionRegistry streamFeature(boolean beforeAuthentication, XmlElement feature) {
        check();
        (beforeAuthentication ? preAuthStreamFeatures : postAuthStreamFeatures).add(feature);
        return this;
    }

    /**
     * Serves disco#info and disco#items for a node of the user's own account (XEP-0013 answers
     * on {@code http://jabber.org/protocol/offline} this way).
     */
    public ExtensionRegistry discoNode(String node, IqHandler info, IqHandler items) {
        check();
        discoNodes.put(node, new IqHandler[] {info, items});
        return this;
    }

    /** The disco handler of a node (info or items), or null. */
    public IqHandler discoNode(String node, boolean items) {
        IqHandler[] h = discoNodes.get(node);
        return h == null ? null : h[items ? 1 : 0];
    }

    /** Ends registration. */
    public ExtensionRegistry freeze() {
        frozen = true;
        return this;
    }

    public IqHandler handler(IqTarget target, Iq.Type type, String namespace, String element) {
        return handlers.get(new Key(target, type, namespace, element));
    }

    public List<DiscoIdentity> serverIdentities() {
        return Collections.unmodifiableList(serverIdentities);
    }

    public Set<String> serverFeatures() {
        return Collections.unmodifiableSet(serverFeatures);
    }

    public Set<String> accountFeatures() {
        return Collections.unmodifiableSet(accountFeatures);
    }

    public List<XmlElement> streamFeatures(boolean beforeAuthentication) {
        return Collections.unmodifiableList(beforeAuthentication ? preAuthStreamFeatures : postAuthStreamFeatures);
    }

    /** What is implemented, one line per extension, for the support table. */
    public List<String> specs() {
        return Collections.unmodifiableList(specs);
    }

    private void check() {
        if (frozen) {
            throw new IllegalStateException("the registry is frozen");
        }
    }
}
