package io.parley.engine.muc;

import akka.actor.typed.ActorRef;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.engine.routing.Route;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.Optional;

/**
 * The Multi-User Chat service as the rest of a node reaches it: the {@link Route} for its domain
 * (a room's stanzas go to its {@link RoomEntity} with the sender's connection and this node's
 * {@link MucFanout}, the service's own to {@link MucService} or the {@link MucDirectory}), and
 * what a connection tells the rooms its session is in.
 */
public final class Rooms implements Route {

    private final Jid service;
    private final ClusterSharding sharding;
    private final ActorRef<MucFanout.Command> fanout;

    public Rooms(Jid service, ClusterSharding sharding, ActorRef<MucFanout.Command> fanout) {
        this.service = service;
        this.sharding = sharding;
        this.fanout = fanout;
    }

    @Override
    public Optional<XmlElement> deliver(XmlElement stanza, Jid to, ActorRef<ConnectionMessage> connection) {
        if (to.hasLocal()) {
            room(to).tell(new RoomEntity.Inbound(stanza, connection, connection == null ? null : fanout));
            return Optional.empty();
        }
        if (MucService.isRoomListing(stanza)) {
            sharding.entityRefFor(MucDirectory.TYPE_KEY, service.toString()).tell(new MucDirectory.Query(stanza));
            return Optional.empty();
        }
        return MucService.answer(stanza, service);
    }

    /**
     * A connection's session joins {@code room} again as {@code nick} after the room stopped under
     * it (it moved, or its node died): the room takes it back without telling anyone, as it was.
     */
    public void rejoin(Jid room, Jid session, String nick, ActorRef<ConnectionMessage> connection) {
        XmlElement presence = XmlElement.builder("presence", Namespaces.CLIENT)
                .attr("from", session.toString()).attr("to", room.withResource(nick).toString())
                .child(XmlElement.of("x", Namespaces.MUC))
                .build();
        room(room).tell(new RoomEntity.Inbound(presence, connection, fanout, RoomEntity.Origin.REJOIN));
    }

    /** A connection's session leaves {@code room} because its node shuts down: the others see status 332. */
    public void leaveForShutdown(Jid room, Jid session, String nick) {
        XmlElement presence = XmlElement.builder("presence", Namespaces.CLIENT)
                .attr("from", session.toString()).attr("to", room.withResource(nick).toString()).attr("type", "unavailable")
                .build();
        room(room).tell(new RoomEntity.Inbound(presence, null, null, RoomEntity.Origin.SHUTDOWN));
    }

    private EntityRef<RoomEntity.Command> room(Jid room) {
        return sharding.entityRefFor(RoomEntity.TYPE_KEY, room.bare().toString());
    }
}
