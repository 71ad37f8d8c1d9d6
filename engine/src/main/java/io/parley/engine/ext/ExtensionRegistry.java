package io.parley.engine.ext;

import io.parley.engine.config.ParleySettings;
import io.parley.engine.routing.ToClient;
import io.parley.engine.session.UserFeature;
import io.parley.protocol.jid.Jid;
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
 * accounts, extra stream features before and after authentication, the session hooks (stanza
 * chains in both directions, signal handlers, session start and shutdown), and the features each
 * user entity runs ({@link UserFeature}). Filled once at start, read-only afterwards.
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
    private final List<Extension> extensions = new ArrayList<>();
    private final List<UserFeature> userFeatures = new ArrayList<>();
    private final Map<Class<?>, SignalHandler<?>> signals = new HashMap<>();
    private final List<SessionHook> started = new ArrayList<>();
    private final List<SessionHook> shuttingDown = new ArrayList<>();
    private final List<Hook> hooks = new ArrayList<>();
    private final StanzaHook[][] inbound = new StanzaHook[StanzaKind.values().length][0];
    private final StanzaHook[][] outbound = new StanzaHook[StanzaKind.values().length][0];
    private final ParleySettings settings;
    private boolean frozen;

    /** Which way a stanza goes through a session's chain. */
    public enum Direction {
        /** Sent by the client, before the session routes or answers it. */
        INBOUND,
        /** About to be written to the client. */
        OUTBOUND
    }

    private record Hook(Direction direction, StanzaKind kind, int priority, int order, StanzaHook hook) {
    }

    /** A registry for a node with these settings (what extensions read while they register). */
    public ExtensionRegistry(ParleySettings settings) {
        this.settings = settings;
    }

    public ParleySettings settings() {
        return settings;
    }

    public ExtensionRegistry add(Extension extension) {
        check();
        specs.add(extension.spec());
        extensions.add(extension);
        extension.register(this);
        return this;
    }

    /** Starts what the extensions run on the node (their actors, entity types, service routes), in registration order. */
    public void start(NodeSetup node) {
        extensions.forEach(e -> e.start(node));
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

    /** A feature of every user entity: its slice of the user's state, its events, commands and hooks. */
    public ExtensionRegistry userFeature(UserFeature feature) {
        check();
        userFeatures.add(feature);
        return this;
    }

    /**
     * A link of the sessions' stanza chain for these kinds of stanza: higher priorities run first,
     * equal ones in the order they were registered (Prosody's rule).
     */
    public ExtensionRegistry hook(Direction direction, int priority, StanzaHook hook, StanzaKind... kinds) {
        check();
        for (StanzaKind k : kinds.length == 0 ? StanzaKind.values() : kinds) {
            hooks.add(new Hook(direction, k, priority, hooks.size(), hook));
        }
        return this;
    }

    /** What a session does with a feature's signal of this class (sent by an entity or a room). */
    public <S extends ToClient.Signal> ExtensionRegistry signal(Class<S> type, SignalHandler<S> handler) {
        check();
        if (signals.putIfAbsent(type, handler) != null) {
            throw new IllegalStateException("two handlers for " + type.getName());
        }
        return this;
    }

    /** Runs when a session is bound, after the user entity's seeds reached it. */
    public ExtensionRegistry sessionStarted(SessionHook hook) {
        check();
        started.add(hook);
        return this;
    }

    /** Runs when the node shuts down, before the session lets its user entity go and closes. */
    public ExtensionRegistry sessionShuttingDown(SessionHook hook) {
        check();
        shuttingDown.add(hook);
        return this;
    }

    /** Ends registration. */
    public ExtensionRegistry freeze() {
        frozen = true;
        List<Hook> sorted = new ArrayList<>(hooks);
        sorted.sort(java.util.Comparator.comparingInt((Hook h) -> -h.priority()).thenComparingInt(Hook::order));
        for (StanzaKind k : StanzaKind.values()) {
            inbound[k.ordinal()] = sorted.stream().filter(h -> h.direction() == Direction.INBOUND && h.kind() == k)
                    .map(Hook::hook).toArray(StanzaHook[]::new);
            outbound[k.ordinal()] = sorted.stream().filter(h -> h.direction() == Direction.OUTBOUND && h.kind() == k)
                    .map(Hook::hook).toArray(StanzaHook[]::new);
        }
        return this;
    }

    /**
     * Runs a stanza through the chain of its kind: the stanza to go on with, or null when a hook
     * swallowed it. No allocation on the way: an array walked in order.
     */
    public XmlElement run(Direction direction, SessionContext session, XmlElement stanza, Jid to) {
        StanzaHook[] chain = (direction == Direction.INBOUND ? inbound : outbound)[StanzaKind.of(stanza.name()).ordinal()];
        for (int i = 0; i < chain.length && stanza != null; i++) {
            stanza = chain[i].apply(session, stanza, to);
        }
        return stanza;
    }

    /** Hands a signal to its feature's handler; false when no feature registered for it. */
    @SuppressWarnings("unchecked")
    public <S extends ToClient.Signal> boolean signal(SessionContext session, S signal) {
        SignalHandler<S> h = (SignalHandler<S>) signals.get(signal.getClass());
        if (h == null) {
            return false;
        }
        h.handle(session, signal);
        return true;
    }

    public void sessionStarted(SessionContext session) {
        started.forEach(h -> h.run(session));
    }

    public void sessionShuttingDown(SessionContext session) {
        shuttingDown.forEach(h -> h.run(session));
    }

    public List<UserFeature> userFeatures() {
        return Collections.unmodifiableList(userFeatures);
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
