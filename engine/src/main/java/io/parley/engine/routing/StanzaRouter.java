package io.parley.engine.routing;

import akka.actor.typed.ActorRef;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xml.XmlElement;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The node's {@link Router}: local accounts go to the route the node gave for them (the user
 * entities), each service domain to the route its extension registered at start (Multi-User Chat
 * registers {@code conference.<domain>}); other domains of this server get service-unavailable,
 * other servers remote-server-not-found. Routes are added while the node starts, before any
 * stanza flows; the table is replaced, never changed, so readers need no lock.
 */
public final class StanzaRouter implements Router {

    private static final Route NOBODY = (stanza, to, connection) -> Router.bounce(stanza, StanzaErrorCondition.SERVICE_UNAVAILABLE);

    private final Jid domain;
    private volatile Route accounts = NOBODY;
    private volatile Map<String, Route> services = Map.of();

    public StanzaRouter(Jid domain) {
        this.domain = domain;
    }

    /** Where stanzas for this server's accounts go. */
    public StanzaRouter accounts(Route route) {
        this.accounts = route;
        return this;
    }

    /** A service with a domain of its own on this server; registering a domain twice is a programming error. */
    public synchronized StanzaRouter service(Jid serviceDomain, Route route) {
        Map<String, Route> next = new HashMap<>(services);
        if (next.putIfAbsent(serviceDomain.domain(), route) != null) {
            throw new IllegalStateException("two services for " + serviceDomain);
        }
        services = Map.copyOf(next);
        return this;
    }

    @Override
    public Jid domain() {
        return domain;
    }

    @Override
    public Destination classify(Jid to) {
        if (to.domain().equals(domain.domain())) {
            return to.hasLocal() ? Destination.LOCAL_ACCOUNT : Destination.SERVER;
        }
        if (services.containsKey(to.domain())) {
            return Destination.SERVICE;
        }
        return to.domain().endsWith("." + domain.domain()) ? Destination.UNKNOWN_LOCAL_SERVICE : Destination.REMOTE;
    }

    @Override
    public Optional<XmlElement> route(XmlElement stanza, Jid to, ActorRef<ConnectionMessage> connection) {
        switch (classify(to)) {
            case LOCAL_ACCOUNT -> {
                return accounts.deliver(stanza, to, connection);
            }
            case SERVICE -> {
                return services.get(to.domain()).deliver(stanza, to, connection);
            }
            case REMOTE -> {
                return Router.bounce(stanza, StanzaErrorCondition.REMOTE_SERVER_NOT_FOUND);
            }
            default -> {
                return Router.bounce(stanza, StanzaErrorCondition.SERVICE_UNAVAILABLE);
            }
        }
    }
}
