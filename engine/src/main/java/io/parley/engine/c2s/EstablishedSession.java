package io.parley.engine.c2s;

import akka.actor.typed.Behavior;
import io.parley.engine.ext.ExtensionRegistry;
import io.parley.engine.ext.Services;
import io.parley.engine.ext.IqHandler;
import io.parley.engine.ext.IqRequest;
import io.parley.engine.ext.IqTarget;
import io.parley.engine.roster.RosterEntity;
import io.parley.engine.routing.Router;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.engine.session.UserEntity;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.Iq;
import io.parley.protocol.stanza.Presence;
import io.parley.protocol.stanza.Stanza;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.stream.StreamErrorCondition;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import akka.actor.typed.ActorRef;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.concurrent.CompletionStage;
import java.util.Set;

/**
 * A bound session's stanza handling (RFC 6120 section 8, RFC 6121): checks and stamps
 * {@code from}, keeps the session's presence and its directed-presence recipients, sends
 * broadcast presence to the user entity and subscriptions to the roster entity, answers IQs
 * through the extension registry and routes everything else. Lives inside its connection actor.
 */
final class EstablishedSession {

    private final C2sConnection conn;
    private final Services services;
    private final Jid jid;
    private final Jid bare;
    private final ExtensionRegistry registry;
    private final Set<Jid> directed = new LinkedHashSet<>();
    private boolean available;
    /** The available presence last broadcast, as the user entity keeps it; null while unavailable. */
    private XmlElement presence;
    /** The flags features set on the session (roster pushes, ...), kept for a user entity that moves. */
    private Set<String> flags = Set.of();
    private boolean ended;

    EstablishedSession(C2sConnection conn, Jid jid) {
        this.conn = conn;
        this.services = conn.services();
        this.registry = services.registry();
        this.jid = jid;
        this.bare = jid.bare();
    }

    /** A stanza for the client, from the rest of the server or from this session: the outbound hooks, then the socket. */
    void deliver(XmlElement stanza) {
        XmlElement out = registry.run(ExtensionRegistry.Direction.OUTBOUND, conn, stanza, jid);
        if (out != null) {
            conn.write(out);
        }
    }

    Behavior<ConnectionMessage> onElement(XmlElement e) {
        if (!Stanza.isStanza(e) || !e.namespace().equals(Namespaces.CLIENT)) {
            return conn.streamError(StreamErrorCondition.UNSUPPORTED_STANZA_TYPE, "unknown top-level element " + e.name());
        }
        String fromAttr = e.attr("from");
        if (fromAttr != null) {
            Jid from = Jid.ofOrNull(fromAttr);
            if (from == null || !(from.equals(jid) || from.equals(bare))) {
                return conn.streamError(StreamErrorCondition.INVALID_FROM, "'from' must be " + jid);
            }
        }
        XmlElement stamped = e.withAttr("from", jid.toString());
        String toAttr = e.attr("to");
        Jid to = null;
        if (toAttr != null) {
            to = Jid.ofOrNull(toAttr);
            if (to == null) {
                if (!"error".equals(e.attr("type"))) {
                    deliver(Stanza.of(stamped).errorReply(StanzaErrorCondition.JID_MALFORMED));
                }
                return conn;
            }
        }
        // the features' inbound hooks: blocking refuses, vCard stamps the avatar hash, ...
        stamped = registry.run(ExtensionRegistry.Direction.INBOUND, conn, stamped, to);
        if (stamped == null) {
            return conn;
        }
        return switch (e.name()) {
            case "message" -> onMessage(stamped, to == null ? bare : to);
            case "presence" -> onPresence(stamped, to);
            default -> onIq(stamped, to);
        };
    }

    // ---- messages -------------------------------------------------------------------------------

    private Behavior<ConnectionMessage> onMessage(XmlElement m, Jid to) {
        XmlElement addressed = m.withAttr("to", to.toString());
        if (services.router().classify(to) == Router.Destination.SERVER) {
            Router.bounce(addressed, StanzaErrorCondition.SERVICE_UNAVAILABLE).ifPresent(this::deliver);
            return conn;
        }
        routeFromHere(addressed, to);
        return conn;
    }

    /** Routes with this connection as the sender's (a Multi-User Chat room delivers to it directly). */
    private void routeFromHere(XmlElement stanza, Jid to) {
        services.router().route(stanza, to, conn.self()).ifPresent(this::deliver);
    }

    // ---- presence -------------------------------------------------------------------------------

    private Behavior<ConnectionMessage> onPresence(XmlElement p, Jid to) {
        Presence.Type type = Presence.Type.fromValue(p.attr("type"));
        if (type == null) {
            deliver(Stanza.of(p).errorReply(StanzaErrorCondition.BAD_REQUEST));
            return conn;
        }
        if (to == null) {
            if (type == Presence.Type.AVAILABLE) {
                available = true;
                services.tellUser(bare, new UserEntity.SessionPresence(jid.resource(), p));
                presence = p.withAttr("to", null).withAttr("from", jid.toString());
            } else if (type == Presence.Type.UNAVAILABLE && available) {
                available = false;
                services.tellUser(bare, new UserEntity.SessionPresence(jid.resource(), p));
                presence = null;
                unavailableToDirected(p);
            }
            return conn;
        }
        XmlElement addressed = p.withAttr("to", to.toString());
        switch (type) {
            case SUBSCRIBE, SUBSCRIBED, UNSUBSCRIBE, UNSUBSCRIBED ->
                    services.tellRoster(bare, new RosterEntity.Outbound(addressed));
            case AVAILABLE -> {
                directed.add(to);
                route(addressed, to);
            }
            case UNAVAILABLE -> {
                directed.remove(to);
                route(addressed, to);
            }
            default -> route(addressed, to);
        }
        return conn;
    }

    private void route(XmlElement stanza, Jid to) {
        if (services.router().classify(to) != Router.Destination.SERVER) {
            routeFromHere(stanza, to);
        }
    }

    /** RFC 6121 4.6.3: whoever got directed presence hears that the resource went away. */
    private void unavailableToDirected(XmlElement unavailable) {
        for (Jid to : directed) {
            route(unavailable.withAttr("to", to.toString()), to);
        }
        directed.clear();
    }

    // ---- IQ -------------------------------------------------------------------------------------

    private Behavior<ConnectionMessage> onIq(XmlElement stanza, Jid to) {
        Iq iq = Iq.of(stanza);
        if (!iq.isWellFormed()) {
            if (iq.id() != null && iq.type() != Iq.Type.RESULT && iq.type() != Iq.Type.ERROR) {
                deliver(iq.errorReply(StanzaErrorCondition.BAD_REQUEST));
            }
            return conn;
        }
        boolean toServerOrSelf = to == null || to.equals(services.domain()) || to.equals(bare);
        if (!iq.isRequest()) {
            if (toServerOrSelf) {
                conn.pongReceived(iq.id());
            } else {
                routeFromHere(stanza, to);
            }
            return conn;
        }
        IqTarget target;
        Jid resolved;
        if (to == null || to.equals(bare)) {
            target = IqTarget.OWN_ACCOUNT;
            resolved = bare;
        } else if (to.equals(services.domain())) {
            target = IqTarget.SERVER;
            resolved = to;
        } else if (to.isBare() && services.router().classify(to) == Router.Destination.LOCAL_ACCOUNT) {
            target = IqTarget.OTHER_ACCOUNT;
            resolved = to;
        } else {
            routeFromHere(stanza, to);
            return conn;
        }
        XmlElement payload = iq.payload();
        IqHandler handler = services.registry().handler(target, iq.type(), payload.namespace(), payload.name());
        if (handler == null) {
            deliver(iq.errorReply(StanzaErrorCondition.SERVICE_UNAVAILABLE));
            return conn;
        }
        return conn.dispatchIq(handler, new IqRequest(iq, payload, jid, resolved, target, services, conn));
    }

    // ---- the session's user entity --------------------------------------------------------------

    /** Marks the session on its user entity, once per flag; remembered for a user entity that moves. */
    void flag(String flag) {
        if (flags.contains(flag)) {
            return;
        }
        Set<String> next = new HashSet<>(flags);
        next.add(flag);
        flags = Set.copyOf(next);
        services.tellUser(bare, new UserEntity.SetFlag(jid.resource(), flag));
    }

    boolean hasFlag(String flag) {
        return flags.contains(flag);
    }

    void watchUserEntity(ActorRef<UserEntity.Command> entity) {
        if (entity != null) {
            conn.getContext().watchWith(entity, C2sConnection.UserEntityGone.INSTANCE);
        }
    }

    private static final Duration REATTACH_TIMEOUT = Duration.ofSeconds(1);

    /**
     * The user entity moved or died with its node: register this session with wherever sharding
     * starts it next (messages for the user wait there meanwhile), with the presence and flags the
     * entity knew. The client notices nothing.
     */
    void userEntityGone() {
        // a short timeout, retried: right after a node is removed this node's shard region may still
        // send to the dead node's region for a moment, and the message is lost there
        CompletionStage<UserEntity.BindReply> reply = services.sharding().entityRefFor(UserEntity.TYPE_KEY, bare.toString())
                .ask(r -> new UserEntity.Reattach(jid.resource(), conn.self(), presence, flags, r), REATTACH_TIMEOUT);
        conn.getContext().pipeToSelf(reply, C2sConnection.Reattached::new);
    }

    Behavior<ConnectionMessage> reattached(C2sConnection.Reattached m) {
        if (m.failure() != null) {
            // sharding could not reach the entity yet (a node is still being removed): try again
            conn.timers.startSingleTimer(C2sConnection.UserEntityGone.INSTANCE, C2sConnection.UserEntityGone.INSTANCE,
                    Duration.ofMillis(200));
            return conn;
        }
        if (m.reply().error() != null) {
            return conn.streamError(m.reply().error() == StanzaErrorCondition.CONFLICT ? StreamErrorCondition.CONFLICT
                    : StreamErrorCondition.NOT_AUTHORIZED, "the session could not be registered again");
        }
        watchUserEntity(m.reply().entity());
        return conn;
    }

    // ---- the end --------------------------------------------------------------------------------

    /** The session's available presence as last broadcast, or null (for registering it again with a moved user entity). */
    XmlElement presence() {
        return presence;
    }

    /** The connection is going away: directed presence is withdrawn and the resource unbound. Idempotent. */
    void end() {
        if (ended) {
            return;
        }
        ended = true;
        unavailableToDirected(UserEntity.unavailableFrom(jid));
        services.tellUser(bare, new UserEntity.Unbind(jid.resource(), conn.self(), null));
    }
}
