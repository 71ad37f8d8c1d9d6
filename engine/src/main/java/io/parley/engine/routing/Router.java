package io.parley.engine.routing;

import akka.actor.typed.ActorRef;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.Stanza;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xml.XmlElement;
import java.util.Optional;

/**
 * Sends a stanza towards its {@code to} address. Entities and connections depend on this
 * interface only; what lies behind each kind of address (the user entities, a service such as
 * Multi-User Chat) is plugged in at node start ({@link StanzaRouter}), so routing knows no entity.
 * Never blocks; never answers an error with an error.
 */
public interface Router {

    /** Where an address leads. */
    enum Destination {
        /** The server's own domain. */
        SERVER,
        /** An account of this server. */
        LOCAL_ACCOUNT,
        /** A service with a domain of its own on this server ({@code conference.<domain>}). */
        SERVICE,
        /** A subdomain of this server that no service serves. */
        UNKNOWN_LOCAL_SERVICE,
        /** Another server. */
        REMOTE
    }

    /** The server's domain. */
    Jid domain();

    /** Pure classification of an address. */
    Destination classify(Jid to);

    /**
     * Routes a stanza whose {@code from} is already stamped and whose {@code to} is {@code to}.
     * Stanzas for the server itself are not handled here (the caller does that).
     *
     * @return an error reply for the sender when the stanza cannot go anywhere
     */
    default Optional<XmlElement> route(XmlElement stanza, Jid to) {
        return route(stanza, to, null);
    }

    /**
     * Routes a stanza a client sent, with its connection: a destination that answers the sender
     * directly (a Multi-User Chat room) gets it.
     */
    Optional<XmlElement> route(XmlElement stanza, Jid to, ActorRef<ConnectionMessage> connection);

    /** Presence subscriptions and probes: the roster's business, once the user entity let them through. */
    static boolean isRosterBound(XmlElement stanza) {
        if (!stanza.name().equals("presence")) {
            return false;
        }
        String type = stanza.attr("type");
        return type != null && (type.equals("subscribe") || type.equals("subscribed") || type.equals("unsubscribe")
                || type.equals("unsubscribed") || type.equals("probe"));
    }

    /** The error reply for a stanza, unless it is itself an error (or a presence, which is dropped). */
    static Optional<XmlElement> bounce(XmlElement stanza, StanzaErrorCondition condition) {
        if ("error".equals(stanza.attr("type")) || stanza.name().equals("presence") && stanza.attr("type") == null) {
            return Optional.empty();
        }
        Stanza s = Stanza.of(stanza);
        return s == null ? Optional.empty() : Optional.of(s.errorReply(condition));
    }
}
