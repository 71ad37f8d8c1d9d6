package io.parley.engine.routing;

import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.actor.typed.ActorRef;
import io.parley.engine.muc.MucDirectory;
import io.parley.engine.muc.MucFanout;
import io.parley.engine.muc.MucService;
import io.parley.engine.muc.RoomEntity;
import io.parley.engine.session.ConnectionMessage;
import io.parley.engine.session.UserEntity;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.Stanza;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xml.XmlElement;
import java.util.Optional;

/**
 * Sends a stanza towards its {@code to} address: a local account's stanzas go to that account's
 * user entity, anything else is answered here. Never blocks; never answers an error with an error.
 */
public final class StanzaRouter {

    /** Where an address leads. */
    public enum Destination { SERVER, LOCAL_ACCOUNT, MUC_SERVICE, MUC_ROOM, UNKNOWN_LOCAL_SERVICE, REMOTE }

    private final Jid domain;
    private final ClusterSharding sharding;
    /** The Multi-User Chat service's domain, or null when it is off. */
    private final Jid muc;

    public StanzaRouter(Jid domain, ClusterSharding sharding) {
        this(domain, sharding, null);
    }

    public StanzaRouter(Jid domain, ClusterSharding sharding, Jid muc) {
        this.domain = domain;
        this.sharding = sharding;
        this.muc = muc;
    }

    /** Tells the service's room directory that a room's listing changed (null name: not listed). */
    public void listing(Jid room, String name) {
        if (muc != null) {
            sharding.entityRefFor(MucDirectory.TYPE_KEY, muc.toString()).tell(new MucDirectory.Listing(room, name));
        }
    }

    /** The Multi-User Chat service's domain, or null. */
    public Jid muc() {
        return muc;
    }

    public Jid domain() {
        return domain;
    }

    /** Pure classification of an address. */
    public Destination classify(Jid to) {
        if (muc != null && to.domain().equals(muc.domain())) {
            return to.hasLocal() ? Destination.MUC_ROOM : Destination.MUC_SERVICE;
        }
        if (!to.domain().equals(domain.domain())) {
            return to.domain().endsWith("." + domain.domain()) ? Destination.UNKNOWN_LOCAL_SERVICE : Destination.REMOTE;
        }
        return to.hasLocal() ? Destination.LOCAL_ACCOUNT : Destination.SERVER;
    }

    /**
     * Routes a stanza whose {@code from} is already stamped and whose {@code to} is {@code to}.
     * Stanzas for the server itself are not handled here (the caller does that).
     *
     * @return an error reply for the sender when the stanza cannot go anywhere
     */
    public Optional<XmlElement> route(XmlElement stanza, Jid to) {
        return route(stanza, to, null, null);
    }

    /**
     * Routes a stanza from a client connection: a Multi-User Chat room gets the connection and its
     * node's fan-out actor too, so it can deliver to the occupant directly.
     */
    public Optional<XmlElement> route(XmlElement stanza, Jid to, ActorRef<ConnectionMessage> connection,
                                      ActorRef<MucFanout.Command> fanout) {
        switch (classify(to)) {
            case LOCAL_ACCOUNT -> {
                sharding.entityRefFor(UserEntity.TYPE_KEY, to.bare().toString()).tell(new UserEntity.Deliver(stanza));
                return Optional.empty();
            }
            case MUC_ROOM -> {
                room(to).tell(new RoomEntity.Inbound(stanza, connection, fanout));
                return Optional.empty();
            }
            case MUC_SERVICE -> {
                if (MucService.isRoomListing(stanza)) {
                    sharding.entityRefFor(MucDirectory.TYPE_KEY, muc.toString()).tell(new MucDirectory.Query(stanza));
                    return Optional.empty();
                }
                return MucService.answer(stanza, muc);
            }
            case REMOTE -> {
                return bounce(stanza, StanzaErrorCondition.REMOTE_SERVER_NOT_FOUND);
            }
            default -> {
                return bounce(stanza, StanzaErrorCondition.SERVICE_UNAVAILABLE);
            }
        }
    }

    /**
     * A connection's session joins {@code room} again as {@code nick} after the room stopped under
     * it (it moved, or its node died): the room takes it back without telling anyone, as it was.
     */
    public void rejoin(Jid room, Jid session, String nick, ActorRef<ConnectionMessage> connection,
                       ActorRef<MucFanout.Command> fanout) {
        XmlElement presence = XmlElement.builder("presence", io.parley.protocol.xml.Namespaces.CLIENT)
                .attr("from", session.toString()).attr("to", room.withResource(nick).toString())
                .child(XmlElement.of("x", io.parley.protocol.xml.Namespaces.MUC))
                .build();
        room(room).tell(new RoomEntity.Inbound(presence, connection, fanout, RoomEntity.Origin.REJOIN));
    }

    /** A connection's session leaves {@code room} because its node shuts down: the others see status 332. */
    public void leaveForShutdown(Jid room, Jid session, String nick) {
        XmlElement presence = XmlElement.builder("presence", io.parley.protocol.xml.Namespaces.CLIENT)
                .attr("from", session.toString()).attr("to", room.withResource(nick).toString()).attr("type", "unavailable")
                .build();
        room(room).tell(new RoomEntity.Inbound(presence, null, null, RoomEntity.Origin.SHUTDOWN));
    }

    private akka.cluster.sharding.typed.javadsl.EntityRef<RoomEntity.Command> room(Jid room) {
        return sharding.entityRefFor(RoomEntity.TYPE_KEY, room.bare().toString());
    }

    /** Presence subscriptions and probes: the roster entity's business, once the user entity let them through. */
    public static boolean isRosterBound(XmlElement stanza) {
        if (!stanza.name().equals("presence")) {
            return false;
        }
        String type = stanza.attr("type");
        return type != null && (type.equals("subscribe") || type.equals("subscribed") || type.equals("unsubscribe")
                || type.equals("unsubscribed") || type.equals("probe"));
    }

    /** The error reply for a stanza, unless it is itself an error (or a presence, which is dropped). */
    public static Optional<XmlElement> bounce(XmlElement stanza, StanzaErrorCondition condition) {
        if ("error".equals(stanza.attr("type")) || stanza.name().equals("presence") && stanza.attr("type") == null) {
            return Optional.empty();
        }
        Stanza s = Stanza.of(stanza);
        return s == null ? Optional.empty() : Optional.of(s.errorReply(condition));
    }
}
