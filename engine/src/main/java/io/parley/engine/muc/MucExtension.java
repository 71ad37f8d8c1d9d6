package io.parley.engine.muc;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Props;
import akka.cluster.sharding.typed.ClusterShardingSettings;
import akka.cluster.sharding.typed.javadsl.Entity;
import io.parley.engine.config.MucSettings;
import io.parley.engine.ext.Extension;
import io.parley.engine.ext.ExtensionRegistry;
import io.parley.engine.ext.NodeSetup;
import io.parley.engine.ext.SessionContext;
import io.parley.engine.routing.ToClient;
import io.parley.persistence.JournalSerializable;
import io.parley.protocol.jid.Jid;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * XEP-0045: Multi-User Chat at {@code conference.<domain>}: the whole service is this package.
 * At node start it initialises the room and directory entity types, this node's
 * {@link MucFanout} and the route of its domain ({@link Rooms}). On each session it keeps the
 * seats the rooms report ({@link InRoom}, {@link OutOfRoom}): when a room stops under a seated
 * session (it moved, or its node died) the session joins again silently, and when the node shuts
 * down the session leaves its rooms first, so the others see status 332.
 */
public final class MucExtension implements Extension {

    /** From a room: this connection's session is an occupant under {@code nick} (sent on entering and on a nick change). */
    public record InRoom(Jid room, String nick, ActorRef<?> roomActor) implements ToClient.Signal {
    }

    /** From a room: this connection's session is no longer in it (left, kicked, banned, destroyed). */
    public record OutOfRoom(Jid room) implements ToClient.Signal {
    }

    /** A room this session is in: its nick there and the room actor, watched. */
    private record Seat(String nick, ActorRef<?> actor) {
    }

    private static final SessionContext.Key<Map<Jid, Seat>> SEATS = SessionContext.Key.of("muc-seats");

    private Rooms rooms;

    @Override
    public String spec() {
        return "XEP-0045: Multi-User Chat 1.35 (rooms, roles, affiliations, configuration, history, invitations, destroy,"
                + " room listing, voice requests, nick registration)";
    }

    @Override
    public void register(ExtensionRegistry r) {
        if (!r.settings().muc().enabled()) {
            return;
        }
        r.signal(InRoom.class, this::onInRoom);
        r.signal(OutOfRoom.class, this::onOutOfRoom);
        r.sessionShuttingDown(this::leaveAll);
    }

    @Override
    public void start(NodeSetup node) {
        MucSettings muc = node.settings().muc();
        if (!muc.enabled()) {
            return;
        }
        Jid service = Jid.domain(muc.subdomain() + "." + node.settings().domain().domain());
        ActorRef<MucFanout.Command> fanout = node.system().systemActorOf(MucFanout.create(), "muc-fanout", Props.empty());
        rooms = new Rooms(service, node.sharding(), fanout);
        node.router().service(service, rooms);
        // rooms stop themselves when empty (persistent ones after parley.muc.empty-room-idle)
        RoomEntity.Deps deps = new RoomEntity.Deps(service, node.router(), node.sharding(), muc, node.clock(),
                node.settings().snapshotEvery());
        node.sharding().init(Entity.of(RoomEntity.TYPE_KEY, ctx -> RoomEntity.create(ctx, deps))
                .withStopMessage(RoomEntity.stopMessage())
                .withSettings(ClusterShardingSettings.create(node.system()).withNoPassivationStrategy()));
        node.sharding().init(Entity.of(MucDirectory.TYPE_KEY,
                ctx -> MucDirectory.create(ctx, node.router(), node.settings().snapshotEvery())));
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<Class<? extends JournalSerializable>> storedTypes() {
        // every event the sealed interfaces permit, so a new event cannot be left out
        List<Class<? extends JournalSerializable>> types = new java.util.ArrayList<>();
        for (Class<?> events : List.of(RoomEntity.Event.class, MucDirectory.Event.class)) {
            for (Class<?> e : events.getPermittedSubclasses()) {
                types.add((Class<? extends JournalSerializable>) e);
            }
        }
        types.add(RoomState.class);
        types.add(MucDirectory.State.class);
        return types;
    }

    private static Map<Jid, Seat> seats(SessionContext session) {
        Map<Jid, Seat> seats = session.get(SEATS);
        if (seats == null) {
            seats = new HashMap<>();
            session.put(SEATS, seats);
        }
        return seats;
    }

    private void onInRoom(SessionContext session, InRoom m) {
        Seat before = seats(session).put(m.room(), new Seat(m.nick(), m.roomActor()));
        if (before == null || !before.actor().equals(m.roomActor())) {
            if (before != null) {
                session.unwatch(before.actor());
            }
            ActorRef<?> actor = m.roomActor();
            session.watch(actor, () -> roomGone(session, actor));
        }
    }

    private void onOutOfRoom(SessionContext session, OutOfRoom m) {
        Map<Jid, Seat> seats = session.get(SEATS);
        Seat gone = seats == null ? null : seats.remove(m.room());
        if (gone != null) {
            session.unwatch(gone.actor());
        }
    }

    /**
     * A room stopped while this session was in it: join it again under the same nick, silently
     * (the room's new incarnation takes the occupant back without presence to anyone).
     */
    private void roomGone(SessionContext session, ActorRef<?> room) {
        Map<Jid, Seat> seats = session.get(SEATS);
        if (seats == null || session.closing()) {
            return; // this node is going down: its connections end, rooms see them go
        }
        for (Iterator<Map.Entry<Jid, Seat>> it = seats.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Jid, Seat> e = it.next();
            if (e.getValue().actor().equals(room)) {
                it.remove();
                rooms.rejoin(e.getKey(), session.jid(), e.getValue().nick(), session.self());
            }
        }
    }

    /** Section 7.14 status 332: the rooms this session is in hear it leave because the server shuts down. */
    private void leaveAll(SessionContext session) {
        Map<Jid, Seat> seats = session.get(SEATS);
        if (seats == null) {
            return;
        }
        seats.forEach((room, seat) -> {
            session.unwatch(seat.actor());
            rooms.leaveForShutdown(room, session.jid(), seat.nick());
        });
        seats.clear();
    }
}
