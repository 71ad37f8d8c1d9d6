package io.parley.engine.muc;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityContext;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EffectFactories;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.engine.routing.ToClient;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.Stanza;
import io.parley.protocol.stanza.StanzaError;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One room's volatile side, shared by the parts of its behaviour ({@link Admission},
 * {@link Occupancy}, {@link Messages}, {@link History}, {@link Affiliations},
 * {@link Configuration}, ...): the occupants, the history not written yet, the watched
 * connections, the room list's entry; and what every part needs: delivery to occupants (a tell
 * per local session, one {@link MucFanout.Deliver} per other node), presence as occupants see
 * it, replies and errors through the router, the occupant-id key. Mutable, owned by its
 * {@link RoomEntity}, used on the entity's thread only.
 */
final class Room {

    final Jid room;
    final EntityContext<RoomEntity.Command> entity;
    final RoomEntity.Deps deps;
    final ActorContext<RoomEntity.Command> ctx;
    final TimerScheduler<RoomEntity.Command> timers;
    private final EffectFactories<RoomEntity.Event, RoomState> effects;
    final Occupants occupants = new Occupants();
    /** Recent history as sent to new occupants: what the state holds plus what is not written yet. */
    final Deque<RoomState.HistoryItem> recent = new ArrayDeque<>();
    /** History of a persistent room not yet written (it goes out in batches). */
    final List<RoomState.HistoryItem> unwritten = new ArrayList<>();
    /** Joins, leaves and nick changes for the operation log not written yet (they go with the history batches). */
    final List<RoomState.Operation> unwrittenOps = new ArrayList<>();
    final Map<ActorRef<ConnectionMessage>, Integer> watched = new HashMap<>();
    /** The name the service's room list has for this room (null: not listed), once it was told. */
    String listedAs;
    boolean listingSent;

    Room(Jid room, EntityContext<RoomEntity.Command> entity, RoomEntity.Deps deps, ActorContext<RoomEntity.Command> ctx,
         TimerScheduler<RoomEntity.Command> timers, EffectFactories<RoomEntity.Event, RoomState> effects) {
        this.room = room;
        this.entity = entity;
        this.deps = deps;
        this.ctx = ctx;
        this.timers = timers;
        this.effects = effects;
    }

    /** The effects a part returns. */
    EffectFactories<RoomEntity.Event, RoomState> effect() {
        return effects;
    }

    /** Tells the service's room list when this room's entry changed: public, unlocked rooms are listed. */
    void syncListing(RoomState st) {
        String name = st.exists() && !st.locked() && st.config().publicRoom()
                ? st.config().name() == null || st.config().name().isBlank() ? room.local() : st.config().name()
                : null;
        if (!listingSent || !java.util.Objects.equals(name, listedAs)) {
            listingSent = true;
            listedAs = name;
            deps.sharding().entityRefFor(MucDirectory.TYPE_KEY, deps.service().toString()).tell(new MucDirectory.Listing(room, name));
        }
    }

    Jid occupantJid(String nick) {
        return room.withResource(nick);
    }

    void reply(XmlElement stanza) {
        Jid to = Jid.ofOrNull(stanza.attr("to"));
        if (to != null) {
            deps.router().route(stanza, to);
        }
    }

    /** Sends an error reply through the router (it reaches the sender's session wherever it is). */
    void error(RoomEntity.Inbound in, StanzaError error) {
        if (!"error".equals(in.stanza().attr("type"))) {
            reply(Stanza.of(in.stanza()).errorReply(error));
        }
    }

    void error(RoomEntity.Inbound in, StanzaErrorCondition condition, String text) {
        error(in, text == null ? StanzaError.of(condition) : StanzaError.of(condition, text));
    }

    /** One stanza (no {@code to}) to these sessions: a direct tell per local one, one fan-out per other node. */
    void deliver(XmlElement stanza, Iterable<Occupants.Session> sessions) {
        Map<ActorRef<MucFanout.Command>, List<MucFanout.Target>> remote = null;
        for (Occupants.Session s : sessions) {
            if (s.connection() == null) {
                deps.router().route(stanza.withAttr("to", s.jid().toString()), s.jid());
            } else if (s.fanout() == null || !s.connection().path().address().hasGlobalScope()) {
                s.connection().tell(new ToClient.Deliver(stanza.withAttr("to", s.jid().toString())));
            } else {
                if (remote == null) {
                    remote = new LinkedHashMap<>();
                }
                remote.computeIfAbsent(s.fanout(), f -> new ArrayList<>()).add(new MucFanout.Target(s.connection(), s.jid().toString()));
            }
        }
        if (remote != null) {
            remote.forEach((fanout, targets) -> fanout.tell(new MucFanout.Deliver(stanza, targets)));
        }
    }

    void deliver(XmlElement stanza, Occupants.Occupant to) {
        deliver(stanza, to.sessions.values());
    }

    void toAll(XmlElement stanza) {
        List<Occupants.Session> all = new ArrayList<>();
        occupants.all().forEach(o -> all.addAll(o.sessions.values()));
        deliver(stanza, all);
    }

    void watch(Occupants.Session s) {
        if (s.connection() != null && watched.merge(s.connection(), 1, Integer::sum) == 1) {
            ctx.watchWith(s.connection(), new RoomEntity.ConnectionEnded(s.connection()));
        }
    }

    void unwatch(Occupants.Session s) {
        if (s != null && s.connection() != null) {
            s.connection().tell(new MucExtension.OutOfRoom(room));
            Integer n = watched.get(s.connection());
            if (n != null && n <= 1) {
                watched.remove(s.connection());
                ctx.unwatch(s.connection());
            } else if (n != null) {
                watched.put(s.connection(), n - 1);
            }
        }
    }

    /** XEP-0421: a stable id per real bare JID and room that reveals nothing about it. */
    XmlElement occupantId(RoomState s, Jid bare) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(s.secret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] h = mac.doFinal(bare.toString().getBytes(StandardCharsets.UTF_8));
            return XmlElement.builder("occupant-id", Namespaces.OCCUPANT_ID)
                    .attr("id", Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(h, 18))).build();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The presence of occupant {@code o} as occupants see it (section 7.2.3): its own presence
     * children, then the muc#user item (with the real JID when {@code withJid}) and the status
     * codes, then its occupant id.
     */
    XmlElement presenceOf(RoomState s, Occupants.Occupant o, boolean unavailable, boolean withJid, Jid realJid,
                                  XmlElement extraItemChild, String newNick, List<Integer> codes, XmlElement destroy) {
        XmlElement.Builder p = XmlElement.builder("presence", Namespaces.CLIENT).attr("from", occupantJid(o.nick).toString());
        if (unavailable) {
            p.attr("type", "unavailable");
        } else {
            p.children(o.presence);
        }
        XmlElement.Builder item = XmlElement.builder("item", Namespaces.MUC_USER)
                .attr("affiliation", o.affiliation.value())
                .attr("role", unavailable ? Role.NONE.value() : o.role.value());
        if (withJid) {
            item.attr("jid", (realJid != null ? realJid : o.sessions.keySet().iterator().next()).toString());
        }
        if (newNick != null) {
            item.attr("nick", newNick);
        }
        if (extraItemChild != null) {
            item.children(extraItemChild.elements());
        }
        XmlElement.Builder x = XmlElement.builder("x", Namespaces.MUC_USER).child(item.build());
        if (destroy != null) {
            x.child(destroy);
        }
        for (int code : codes) {
            x.child(XmlElement.builder("status", Namespaces.MUC_USER).attr("code", Integer.toString(code)).build());
        }
        p.child(x.build());
        p.child(o.occupantId);
        return p.build();
    }

    boolean seesJids(RoomState s, Occupants.Occupant viewer) {
        return s.config().whoisAnyone() || viewer.role == Role.MODERATOR;
    }

    /**
     * Tells every occupant about {@code o}'s presence; {@code o}'s own sessions get the status codes
     * {@code selfCodes} on top of {@code codes} (110 first).
     */
    void broadcastPresence(RoomState s, Occupants.Occupant o, boolean unavailable, XmlElement itemChildren,
                                   String newNick, List<Integer> codes, List<Integer> selfCodes, XmlElement destroy) {
        toOthers(s, o, withJid -> presenceOf(s, o, unavailable, withJid, null, itemChildren, newNick, codes, destroy));
        List<Integer> own = new ArrayList<>(selfCodes);
        own.addAll(codes);
        for (Occupants.Session session : o.sessions.values()) {
            deliver(presenceOf(s, o, unavailable, true, session.jid(), itemChildren, newNick, own, destroy), List.of(session));
        }
    }

    /**
     * Sends {@code o}'s presence to every other occupant: the variant with its real JID to those
     * who may see it (section 7.2.3), the one without to the rest; each built only when needed.
     */
    void toOthers(RoomState s, Occupants.Occupant o, java.util.function.Function<Boolean, XmlElement> presence) {
        List<Occupants.Session> seeing = new ArrayList<>();
        List<Occupants.Session> notSeeing = new ArrayList<>();
        for (Occupants.Occupant viewer : occupants.all()) {
            if (viewer != o) {
                (seesJids(s, viewer) ? seeing : notSeeing).addAll(viewer.sessions.values());
            }
        }
        if (!seeing.isEmpty()) {
            deliver(presence.apply(true), seeing);
        }
        if (!notSeeing.isEmpty()) {
            deliver(presence.apply(false), notSeeing);
        }
    }

    /** Tells a session's connection it is in this room as {@code nick}, so it can come back if the room stops. */
    void seated(Occupants.Session session, String nick) {
        if (session.connection() != null) {
            session.connection().tell(new MucExtension.InRoom(room, nick, ctx.getSelf()));
        }
    }

    RoomEntity.OperationLogged logged(Jid actor, String action, String target, String detail) {
        return new RoomEntity.OperationLogged(new RoomState.Operation(deps.clock().instant(), actor == null ? null : actor.toString(),
                action, target, detail));
    }

    boolean takeToken(Occupants.Occupant o) {
        long now = System.nanoTime();
        o.tokens = Math.min(deps.settings().messageBurst(), o.tokens + (now - o.tokensAt) * deps.settings().messagesPerSecond() / 1e9);
        o.tokensAt = now;
        if (o.tokens < 1) {
            return false;
        }
        o.tokens -= 1;
        return true;
    }

    /** An occupant's join, leave or nick change for the operation log, written with the next batch. */
    void note(Jid actor, String action, String target, String detail) {
        unwrittenOps.add(new RoomState.Operation(deps.clock().instant(), actor == null ? null : actor.toString(), action, target, detail));
        flushSoon();
    }

    static XmlElement itemChildren(Occupants.Occupant actor, String reason) {
        XmlElement.Builder b = XmlElement.builder("item", Namespaces.MUC_USER);
        if (actor != null) {
            b.child(XmlElement.builder("actor", Namespaces.MUC_USER).attr("nick", actor.nick).build());
        }
        if (reason != null) {
            b.textElement("reason", Namespaces.MUC_USER, reason);
        }
        return b.build();
    }

    /** Kicked (307), banned (301), removed by an affiliation change (321) or by members-only (322). */
    void removeOccupant(RoomState s, Occupants.Occupant o, List<Integer> codes, Occupants.Occupant actor, String reason) {
        broadcastPresence(s, o, true, itemChildren(actor, reason), null, codes, List.of(110), null);
        occupants.remove(o);
        o.sessions.values().forEach(this::unwatch);
    }

    /** What is not written yet goes out with the next batch, {@link RoomEntity#HISTORY_FLUSH} from the first. */
    void flushSoon() {
        if (!timers.isTimerActive(RoomEntity.Tick.FLUSH_HISTORY)) {
            timers.startSingleTimer(RoomEntity.Tick.FLUSH_HISTORY, RoomEntity.HISTORY_FLUSH);
        }
    }

    /** The room is forgotten (destroyed, or a temporary room left empty): nothing unwritten is kept, the list hears, it stops. */
    Effect<RoomEntity.Event, RoomState> end() {
        recent.clear();
        unwritten.clear();
        unwrittenOps.clear();
        return effect().persist(new RoomEntity.RoomDestroyed(deps.clock().instant()))
                .thenRun(st -> {
                    syncListing(st);
                    entity.getShard().tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
                });
    }
}
