package io.parley.engine.muc;

import io.parley.engine.config.MucSettings;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityContext;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.parley.engine.routing.Router;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.engine.routing.ToClient;
import io.parley.engine.storage.PendingWrite;
import io.parley.persistence.CborSerializable;
import io.parley.persistence.JournalSerializable;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.Iq;
import io.parley.protocol.stanza.Stanza;
import io.parley.protocol.stanza.StanzaError;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xep.dataforms.DataForm;
import io.parley.protocol.xep.dataforms.FormField;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import io.parley.protocol.xml.XmlNode;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
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
 * One Multi-User Chat room (XEP-0045), by its bare JID: a sharded, event-sourced entity. Its
 * durable state ({@link RoomState}: existence, lock, configuration, affiliations, subject,
 * history, operation log) is events; its occupants are volatile ({@link Occupants}). Every stanza
 * addressed to the room or to an occupant JID in it comes here as {@link Inbound} with the
 * sender's connection, so the room delivers to occupants' connections directly: locally one
 * tell per occupant, to another node one {@link MucFanout.Deliver} per node.
 */
public final class RoomEntity extends EventSourcedBehavior<RoomEntity.Command, RoomEntity.Event, RoomState> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "room");
    static final Duration HISTORY_FLUSH = Duration.ofMillis(500);
    static final int MAX_TEXT = 1024;

    public sealed interface Command extends CborSerializable {
    }

    /**
     * A stanza for the room or one of its occupant JIDs, {@code from} the sender's full JID.
     *
     * @param connection the sender's connection when it came from one (null for stanzas the server makes)
     * @param fanout the sender's node's {@link MucFanout}
     * @param origin {@link Origin#REJOIN} from the sender's connection (never from a client) after the
     *     room stopped under it: the occupant comes back silently ({@code ToClient.InRoom});
     *     {@link Origin#SHUTDOWN} when the connection's node stops: the occupant leaves with 332
     */
    public record Inbound(XmlElement stanza, ActorRef<ConnectionMessage> connection, ActorRef<MucFanout.Command> fanout,
                          Origin origin) implements Command {
        public Inbound(XmlElement stanza, ActorRef<ConnectionMessage> connection, ActorRef<MucFanout.Command> fanout) {
            this(stanza, connection, fanout, Origin.CLIENT);
        }

        boolean rejoin() {
            return origin == Origin.REJOIN;
        }
    }

    /**
     * Who made an {@link Inbound}: the client, or its connection (never the client) joining again
     * after the room stopped under it, or leaving because its node shuts down (status 332).
     */
    public enum Origin { CLIENT, REJOIN, SHUTDOWN }

    /** A watched occupant connection ended without leaving (its node died, or it broke). */
    record ConnectionEnded(ActorRef<ConnectionMessage> connection) implements Command {
    }

    /** Timers: write the history gathered since the last flush; stop when empty for a while; stop (from sharding). */
    enum Tick implements Command { FLUSH_HISTORY, IDLE, STOP }

    /** What sharding sends when the room's shard moves or its node stops: history not written yet is written first. */
    public static Command stopMessage() {
        return Tick.STOP;
    }

    /** The room's durable changes. */
    public sealed interface Event extends JournalSerializable {
    }

    @JsonTypeName("muc.room-created")
    public record RoomCreated(String secret, Jid owner, RoomConfig config, boolean locked, Instant at) implements Event {
    }

    @JsonTypeName("muc.room-configured")
    public record RoomConfigured(RoomConfig config) implements Event {
    }

    @JsonTypeName("muc.room-unlocked")
    public enum RoomUnlocked implements Event { INSTANCE }

    @JsonTypeName("muc.affiliation-changed")
    public record AffiliationChanged(Jid jid, Affiliation affiliation, String reason) implements Event {
    }

    /** A member registered a room nick (XEP-0045 section 7.10), or released it (null). */
    @JsonTypeName("muc.nick-registered")
    public record NickRegistered(Jid jid, String nick) implements Event {
    }

    @JsonTypeName("muc.subject-changed")
    public record SubjectChanged(XmlElement subject) implements Event {
    }

    @JsonTypeName("muc.history-added")
    public record HistoryAdded(List<RoomState.HistoryItem> items) implements Event {
    }

    @JsonTypeName("muc.operation-logged")
    public record OperationLogged(RoomState.Operation operation) implements Event {
    }

    @JsonTypeName("muc.room-destroyed")
    public record RoomDestroyed(Instant at) implements Event {
    }

    /** What a room needs from its node. */
    public record Deps(Jid service, Router router, ClusterSharding sharding, MucSettings settings, Clock clock, int snapshotEvery) {
    }

    public static Behavior<Command> create(EntityContext<Command> entity, Deps deps) {
        return Behaviors.withTimers(timers -> Behaviors.setup(ctx ->
                new RoomEntity(Jid.of(entity.getEntityId()), entity, deps, ctx, timers)));
    }

    private final Jid room;
    private final EntityContext<Command> entity;
    private final Deps deps;
    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;
    private final Occupants occupants = new Occupants();
    /** Recent history as sent to new occupants: what the state holds plus what is not written yet. */
    private final Deque<RoomState.HistoryItem> recent = new ArrayDeque<>();
    /** History of a persistent room not yet written (it goes out in batches). */
    private final List<RoomState.HistoryItem> unwritten = new ArrayList<>();
    /** Joins, leaves and nick changes for the operation log not written yet (they go with the history batches). */
    private final List<RoomState.Operation> unwrittenOps = new ArrayList<>();
    private final Map<ActorRef<ConnectionMessage>, Integer> watched = new HashMap<>();
    /** The name the service's room list has for this room (null: not listed), once it was told. */
    private String listedAs;
    private boolean listingSent;

    private RoomEntity(Jid room, EntityContext<Command> entity, Deps deps, ActorContext<Command> ctx,
                       TimerScheduler<Command> timers) {
        super(PersistenceId.of(TYPE_KEY.name(), room.toString()), PendingWrite.restartOnStoreFailure());
        this.room = room;
        this.entity = entity;
        this.deps = deps;
        this.ctx = ctx;
        this.timers = timers;
    }

    @Override
    public RoomState emptyState() {
        return RoomState.EMPTY;
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(deps.snapshotEvery(), 2);
    }

    @Override
    public SignalHandler<RoomState> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), s -> {
                    recent.clear();
                    recent.addAll(s.history());
                    if (s.exists()) {
                        syncListing(s); // repairs the list if an earlier change did not reach it
                    }
                    timers.startSingleTimer(Tick.IDLE, deps.settings().emptyRoomIdle());
                })
                .build();
    }

    @Override
    public CommandHandler<Command, Event, RoomState> commandHandler() {
        return newCommandHandlerBuilder().forAnyState().onAnyCommand(this::handle);
    }

    @Override
    public EventHandler<RoomState, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(RoomEntity::apply);
    }

    static RoomState apply(RoomState s, Event event) {
        if (event instanceof HistoryAdded e) {
            return s.withHistory(e.items());
        } else if (event instanceof RoomCreated e) {
            return new RoomState(true, e.locked(), e.secret(), e.config(), Map.of(), null, List.of(), List.of())
                    .withAffiliation(e.owner(), Affiliation.OWNER, null);
        } else if (event instanceof RoomConfigured e) {
            return s.withConfig(e.config());
        } else if (event instanceof RoomUnlocked) {
            return s.unlocked();
        } else if (event instanceof AffiliationChanged e) {
            return s.withAffiliation(e.jid(), e.affiliation(), e.reason());
        } else if (event instanceof NickRegistered e) {
            return s.withNick(e.jid(), e.nick());
        } else if (event instanceof SubjectChanged e) {
            return s.withSubject(e.subject());
        } else if (event instanceof OperationLogged e) {
            return s.withOperation(e.operation());
        } else if (event instanceof RoomDestroyed) {
            return RoomState.EMPTY;
        }
        throw new IllegalArgumentException("unknown event " + event.getClass().getName());
    }

    private Effect<Event, RoomState> handle(RoomState s, Command command) {
        if (command instanceof Inbound in) {
            Jid from = Jid.ofOrNull(in.stanza().attr("from"));
            if (from == null || !from.isFull()) {
                return Effect().none();
            }
            if ("error".equals(in.stanza().attr("type")) && !in.stanza().name().equals("iq")) {
                // an occupant's client bounced a message or presence the room sent: it is gone (333)
                Occupants.Occupant o = occupants.byJid(from);
                return o == null ? Effect().none() : leave(s, o, from, List.of(333));
            }
            return switch (in.stanza().name()) {
                case "message" -> onMessage(s, in, from);
                case "presence" -> onPresence(s, in, from);
                default -> onIq(s, in, from);
            };
        } else if (command instanceof ConnectionEnded c) {
            return onConnectionEnded(s, c.connection());
        } else if (command == Tick.FLUSH_HISTORY) {
            return flushHistory(s);
        } else if (command == Tick.STOP) {
            List<Event> batch = unwrittenBatch(s);
            return batch.isEmpty() ? Effect().stop() : Effect().persist(batch).thenStop();
        } else if (command == Tick.IDLE) {
            if (!occupants.isEmpty()) {
                return Effect().none();
            }
            if (s.exists() && !s.config().persistent()) {
                // a temporary room whose occupants went with a node that died: it ends now
                return afterDeparture(s);
            }
            List<Event> batch = unwrittenBatch(s);
            return Effect().persist(batch).thenRun(st -> entity.getShard().tell(new ClusterSharding.Passivate<>(ctx.getSelf())));
        }
        throw new IllegalArgumentException("unknown command " + command.getClass().getName());
    }

    // ---- addresses and delivery -----------------------------------------------------------------

    /** Tells the service's room list when this room's entry changed: public, unlocked rooms are listed. */
    private void syncListing(RoomState st) {
        String name = st.exists() && !st.locked() && st.config().publicRoom()
                ? st.config().name() == null || st.config().name().isBlank() ? room.local() : st.config().name()
                : null;
        if (!listingSent || !java.util.Objects.equals(name, listedAs)) {
            listingSent = true;
            listedAs = name;
            deps.sharding().entityRefFor(MucDirectory.TYPE_KEY, deps.service().toString()).tell(new MucDirectory.Listing(room, name));
        }
    }

    private Jid occupantJid(String nick) {
        return room.withResource(nick);
    }

    private void reply(XmlElement stanza) {
        Jid to = Jid.ofOrNull(stanza.attr("to"));
        if (to != null) {
            deps.router().route(stanza, to);
        }
    }

    /** Sends an error reply through the router (it reaches the sender's session wherever it is). */
    private void error(Inbound in, StanzaError error) {
        if (!"error".equals(in.stanza().attr("type"))) {
            reply(Stanza.of(in.stanza()).errorReply(error));
        }
    }

    private void error(Inbound in, StanzaErrorCondition condition, String text) {
        error(in, text == null ? StanzaError.of(condition) : StanzaError.of(condition, text));
    }

    /** One stanza (no {@code to}) to these sessions: a direct tell per local one, one fan-out per other node. */
    private void deliver(XmlElement stanza, Iterable<Occupants.Session> sessions) {
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

    private void deliver(XmlElement stanza, Occupants.Occupant to) {
        deliver(stanza, to.sessions.values());
    }

    private void toAll(XmlElement stanza) {
        List<Occupants.Session> all = new ArrayList<>();
        occupants.all().forEach(o -> all.addAll(o.sessions.values()));
        deliver(stanza, all);
    }

    private void watch(Occupants.Session s) {
        if (s.connection() != null && watched.merge(s.connection(), 1, Integer::sum) == 1) {
            ctx.watchWith(s.connection(), new ConnectionEnded(s.connection()));
        }
    }

    private void unwatch(Occupants.Session s) {
        if (s != null && s.connection() != null) {
            s.connection().tell(new ToClient.OutOfRoom(room));
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
    private XmlElement occupantId(RoomState s, Jid bare) {
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

    // ---- presence -------------------------------------------------------------------------------

    /**
     * The presence of occupant {@code o} as occupants see it (section 7.2.3): its own presence
     * children, then the muc#user item (with the real JID when {@code withJid}) and the status
     * codes, then its occupant id.
     */
    private XmlElement presenceOf(RoomState s, Occupants.Occupant o, boolean unavailable, boolean withJid, Jid realJid,
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

    private boolean seesJids(RoomState s, Occupants.Occupant viewer) {
        return s.config().whoisAnyone() || viewer.role == Role.MODERATOR;
    }

    /**
     * Tells every occupant about {@code o}'s presence; {@code o}'s own sessions get the status codes
     * {@code selfCodes} on top of {@code codes} (110 first).
     */
    private void broadcastPresence(RoomState s, Occupants.Occupant o, boolean unavailable, XmlElement itemChildren,
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
    private void toOthers(RoomState s, Occupants.Occupant o, java.util.function.Function<Boolean, XmlElement> presence) {
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

    private Effect<Event, RoomState> onPresence(RoomState s, Inbound in, Jid from) {
        XmlElement p = in.stanza();
        Jid to = Jid.ofOrNull(p.attr("to"));
        String type = p.attr("type");
        if (type != null && !type.equals("unavailable")) {
            return Effect().none();
        }
        Occupants.Occupant current = occupants.byJid(from);
        if (in.rejoin()) {
            return rejoin(s, in, from, current);
        }
        if ("unavailable".equals(type)) {
            return current == null ? Effect().none()
                    : leave(s, current, from, in.origin() == Origin.SHUTDOWN ? List.of(332) : List.of());
        }
        if (to == null || !to.hasResource()) {
            error(in, StanzaErrorCondition.JID_MALFORMED, "join with room@service/nick");
            return Effect().none();
        }
        String nick = to.resource();
        List<XmlElement> children = presenceChildren(p);
        if (current != null) {
            if (current.nick.equals(nick) || current.sessions.containsKey(from) && occupants.byNick(nick) == current) {
                current.presence = children;
                broadcastPresence(s, current, false, null, null, List.of(), List.of(110), null);
                return Effect().none();
            }
            return changeNick(s, in, current, nick, children);
        }
        return join(s, in, from, nick, children);
    }

    /**
     * An occupant whose room stopped under it (a rebalance, a node that died) comes back as it was,
     * without presence to anyone: every occupant's client still has the room as it was. One the
     * room no longer admits (destroyed meanwhile, banned, nick taken) is told it is out (333).
     */
    private Effect<Event, RoomState> rejoin(RoomState s, Inbound in, Jid from, Occupants.Occupant current) {
        Jid to = Jid.ofOrNull(in.stanza().attr("to"));
        if (current != null || to == null || !to.hasResource()) {
            return Effect().none();
        }
        String nick = to.resource();
        Affiliation aff = s.exists() ? s.affiliation(from) : Affiliation.NONE;
        Occupants.Session session = new Occupants.Session(from, in.connection(), in.fanout());
        if (!s.exists() || refusal(s, aff, from.bare(), nick) != null) {
            if (in.connection() != null) {
                XmlElement out = XmlElement.builder("presence", Namespaces.CLIENT).attr("from", to.toString())
                        .attr("type", "unavailable")
                        .child(XmlElement.builder("x", Namespaces.MUC_USER)
                                .child(XmlElement.builder("item", Namespaces.MUC_USER).attr("affiliation", aff.value())
                                        .attr("role", "none").build())
                                .child(XmlElement.builder("status", Namespaces.MUC_USER).attr("code", "110").build())
                                .child(XmlElement.builder("status", Namespaces.MUC_USER).attr("code", "333").build())
                                .build())
                        .build();
                deliver(out, List.of(session));
                in.connection().tell(new ToClient.OutOfRoom(room));
            }
            return Effect().none();
        }
        seat(s, nick, from, aff, List.of(), session);
        return Effect().none();
    }

    /** Tells a session's connection it is in this room as {@code nick}, so it can come back if the room stops. */
    private void seated(Occupants.Session session, String nick) {
        if (session.connection() != null) {
            session.connection().tell(new ToClient.InRoom(room, nick, ctx.getSelf()));
        }
    }

    /** What an occupant's presence carries to others: everything but MUC protocol elements. */
    private static List<XmlElement> presenceChildren(XmlElement p) {
        List<XmlElement> out = new ArrayList<>();
        for (XmlElement c : p.elements()) {
            String ns = c.namespace();
            if (!ns.equals(Namespaces.MUC) && !ns.equals(Namespaces.MUC_USER) && !ns.equals(Namespaces.OCCUPANT_ID)) {
                out.add(c);
            }
        }
        return out;
    }

    private XmlElement errorPresence(Inbound in, StanzaError error) {
        XmlElement.Builder b = XmlElement.builder("presence", Namespaces.CLIENT)
                .attr("from", in.stanza().attr("to")).attr("to", in.stanza().attr("from")).attr("type", "error")
                .attr("id", in.stanza().attr("id"))
                .child(XmlElement.of("x", Namespaces.MUC))
                .child(error.toElement(Namespaces.CLIENT));
        return b.build();
    }

    private Effect<Event, RoomState> refuseJoin(Inbound in, StanzaErrorCondition condition, String text) {
        XmlElement e = errorPresence(in, text == null ? StanzaError.of(condition) : StanzaError.of(condition, text));
        if (in.connection() != null) {
            in.connection().tell(new ToClient.Deliver(e));
        } else {
            reply(e);
        }
        return Effect().none();
    }

    private Effect<Event, RoomState> join(RoomState s, Inbound in, Jid from, String nick, List<XmlElement> children) {
        XmlElement mucX = in.stanza().element("x", Namespaces.MUC);
        Jid bare = from.bare();
        if (nick.isBlank() || nick.length() > MAX_TEXT) {
            return refuseJoin(in, StanzaErrorCondition.JID_MALFORMED, "a nick is 1 to " + MAX_TEXT + " characters, not only spaces");
        }
        if (!s.exists()) {
            if (!from.domain().equals(deps.router().domain().domain())) {
                return refuseJoin(in, StanzaErrorCondition.NOT_ALLOWED, "only local users create rooms");
            }
            // section 10.1: a MUC client gets a locked room to configure; others an instant room
            boolean locked = mucX != null;
            RoomCreated created = new RoomCreated(newSecret(), bare, RoomConfig.defaults(deps.settings().defaultHistory()), locked,
                    deps.clock().instant());
            return Effect().persist(List.of(created, logged(bare, "create", room.toString(), locked ? "locked" : "instant")))
                    .thenRun(st -> {
                        enter(st, in, from, nick, children, mucX, true);
                        syncListing(st);
                    });
        }
        Affiliation aff = s.affiliation(bare);
        Refusal refused = refusal(s, aff, bare, nick);
        if (refused != null) {
            return refuseJoin(in, refused.condition(), refused.text());
        }
        Occupants.Occupant holder = occupants.byNick(nick);
        int max = s.config().maxUsers() == 0 ? deps.settings().maxOccupants() : Math.min(s.config().maxUsers(), deps.settings().maxOccupants());
        if (holder == null && occupants.size() >= max && !aff.isAdminOrOwner()) {
            return refuseJoin(in, StanzaErrorCondition.SERVICE_UNAVAILABLE, "the room is full");
        }
        if (s.config().passwordProtected() && aff != Affiliation.OWNER) {
            String given = mucX == null ? null : mucX.elementText("password", Namespaces.MUC);
            if (!s.config().password().equals(given)) {
                return refuseJoin(in, StanzaErrorCondition.NOT_AUTHORIZED, "a password is required");
            }
        }
        enter(s, in, from, nick, children, mucX, false);
        return Effect().none();
    }

    /** Why a bare JID may not enter under a nick. */
    private record Refusal(StanzaErrorCondition condition, String text) {
    }

    /**
     * Section 7.2: whether {@code bare} may be an occupant of an existing room under {@code nick}
     * (locked, banned, members-only, nick held or registered by someone else); null if it may.
     */
    private Refusal refusal(RoomState s, Affiliation aff, Jid bare, String nick) {
        if (s.locked() && aff != Affiliation.OWNER) {
            return new Refusal(StanzaErrorCondition.ITEM_NOT_FOUND, "the room is locked until its owner configures it");
        }
        if (aff == Affiliation.OUTCAST) {
            return new Refusal(StanzaErrorCondition.FORBIDDEN, "banned from this room");
        }
        if (s.config().membersOnly() && !(aff == Affiliation.MEMBER || aff.isAdminOrOwner())) {
            return new Refusal(StanzaErrorCondition.REGISTRATION_REQUIRED, "members only");
        }
        Occupants.Occupant holder = occupants.byNick(nick);
        if (holder != null && !holder.bare.equals(bare)) {
            return new Refusal(StanzaErrorCondition.CONFLICT, "nick in use");
        }
        Jid reservedFor = s.nickOwner(nick);
        if (reservedFor != null && !reservedFor.equals(bare)) {
            return new Refusal(StanzaErrorCondition.CONFLICT, "nick registered by someone else");
        }
        return null;
    }

    /**
     * The occupant under {@code nick}, made when new (its occupant id, presence, a full token
     * bucket), with {@code session} added to it, watched, and told it is seated.
     */
    private Occupants.Occupant seat(RoomState s, String nick, Jid from, Affiliation aff, List<XmlElement> presence,
                                    Occupants.Session session) {
        Occupants.Occupant o = occupants.byNick(nick);
        if (o == null) {
            o = occupants.add(nick, from.bare(), Role.defaultFor(aff, s.config().moderated()), aff);
            o.occupantId = occupantId(s, from.bare());
            o.presence = presence;
            o.tokens = deps.settings().messageBurst();
            o.tokensAt = System.nanoTime();
        }
        occupants.addSession(o, session);
        watch(session);
        seated(session, nick);
        timers.cancel(Tick.IDLE);
        return o;
    }

    private static String newSecret() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    private OperationLogged logged(Jid actor, String action, String target, String detail) {
        return new OperationLogged(new RoomState.Operation(deps.clock().instant(), actor == null ? null : actor.toString(),
                action, target, detail));
    }

    /** Section 7.2.3 to 7.2.16: presence of the others, own presence, history, subject. */
    private void enter(RoomState s, Inbound in, Jid from, String nick, List<XmlElement> children, XmlElement mucX, boolean created) {
        Affiliation aff = s.affiliation(from);
        boolean newOccupant = occupants.byNick(nick) == null;
        if (newOccupant) {
            note(from.bare(), "join", nick, null);
        }
        Occupants.Occupant o = seat(s, nick, from, aff, children, new Occupants.Session(from, in.connection(), in.fanout()));
        Occupants.Session session = o.sessions.get(from);
        for (Occupants.Occupant other : occupants.all()) {
            if (other != o) {
                deliver(presenceOf(s, other, false, seesJids(s, o), null, null, null, List.of(), null), List.of(session));
            }
        }
        List<Integer> self = new ArrayList<>(List.of(110));
        if (s.config().whoisAnyone()) {
            self.add(100);
        }
        if (s.config().logging()) {
            self.add(170);
        }
        if (created) {
            self.add(201);
        }
        if (newOccupant) {
            broadcastPresenceExcept(s, o, session, self);
        } else {
            deliver(presenceOf(s, o, false, true, from, null, null, self, null), List.of(session));
        }
        sendHistory(s, session, mucX == null ? null : mucX.element("history", Namespaces.MUC));
        XmlElement subject = s.subject() != null ? s.subject()
                : XmlElement.builder("message", Namespaces.CLIENT).attr("from", room.toString()).attr("type", "groupchat")
                        .child(XmlElement.of("subject", Namespaces.CLIENT)).build();
        deliver(subject, List.of(session));
    }

    /** A new occupant: everyone else learns of it, and its joining session gets its own presence. */
    private void broadcastPresenceExcept(RoomState s, Occupants.Occupant o, Occupants.Session joining, List<Integer> selfCodes) {
        toOthers(s, o, withJid -> presenceOf(s, o, false, withJid, withJid ? joining.jid() : null, null, null, List.of(), null));
        deliver(presenceOf(s, o, false, true, joining.jid(), null, null, selfCodes, null), List.of(joining));
    }

    /** Section 7.2.15: the history a new occupant asked for, with delay stamps. */
    private void sendHistory(RoomState s, Occupants.Session to, XmlElement request) {
        if (recent.isEmpty()) {
            return;
        }
        int maxStanzas = Integer.MAX_VALUE;
        int maxChars = Integer.MAX_VALUE;
        Instant since = null;
        if (request != null) {
            maxStanzas = intAttr(request, "maxstanzas", maxStanzas);
            maxChars = intAttr(request, "maxchars", maxChars);
            int seconds = intAttr(request, "seconds", -1);
            if (seconds >= 0) {
                since = deps.clock().instant().minusSeconds(seconds);
            }
            String sinceAttr = request.attr("since");
            if (sinceAttr != null) {
                try {
                    Instant t = Instant.parse(sinceAttr);
                    since = since == null || t.isAfter(since) ? t : since;
                } catch (DateTimeParseException e) {
                    // a bad stamp limits nothing
                }
            }
        }
        List<RoomState.HistoryItem> chosen = new ArrayList<>();
        int chars = 0;
        var it = recent.descendingIterator();
        while (it.hasNext() && chosen.size() < maxStanzas) {
            RoomState.HistoryItem h = it.next();
            if (since != null && !h.at().isAfter(since) || chars + h.chars() > maxChars) {
                break;
            }
            chars += h.chars();
            chosen.add(0, h);
        }
        for (RoomState.HistoryItem h : chosen) {
            XmlElement delay = XmlElement.builder("delay", Namespaces.DELAY).attr("from", room.toString())
                    .attr("stamp", h.at().toString()).build();
            deliver(h.message().withChild(delay), List.of(to));
        }
    }

    private static int intAttr(XmlElement e, String name, int otherwise) {
        String v = e.attr(name);
        if (v == null) {
            return otherwise;
        }
        try {
            return Math.max(0, Integer.parseInt(v.trim()));
        } catch (NumberFormatException ex) {
            return otherwise;
        }
    }

    /** Section 7.6: unavailable with 303 and the new nick, then available under it. */
    private Effect<Event, RoomState> changeNick(RoomState s, Inbound in, Occupants.Occupant o, String nick, List<XmlElement> children) {
        Occupants.Occupant holder = occupants.byNick(nick);
        if (holder != null && holder != o) {
            return refuseJoin(in, StanzaErrorCondition.CONFLICT, "nick in use");
        }
        Jid reservedFor = s.nickOwner(nick);
        if (reservedFor != null && !reservedFor.equals(o.bare)) {
            return refuseJoin(in, StanzaErrorCondition.CONFLICT, "nick registered by someone else");
        }
        if (nick.isBlank() || nick.length() > MAX_TEXT) {
            return refuseJoin(in, StanzaErrorCondition.JID_MALFORMED, "a nick is 1 to " + MAX_TEXT + " characters");
        }
        note(o.bare, "nick", o.nick, nick);
        broadcastPresence(s, o, true, null, nick, List.of(303), List.of(110), null);
        occupants.rename(o, nick);
        o.sessions.values().forEach(session -> seated(session, nick));
        o.presence = children;
        broadcastPresence(s, o, false, null, null, List.of(), List.of(110), null);
        return Effect().none();
    }

    /** One session leaves (section 7.14); the occupant goes when its last session does. */
    private Effect<Event, RoomState> leave(RoomState s, Occupants.Occupant o, Jid session, List<Integer> codes) {
        Occupants.Session gone = o.sessions.get(session);
        if (o.sessions.size() > 1) {
            deliver(presenceOf(s, o, true, true, session, null, null, List.of(110), null), List.of(gone));
            occupants.removeSession(o, session);
            unwatch(gone);
            return Effect().none();
        }
        broadcastPresence(s, o, true, null, null, codes, List.of(110), null);
        occupants.removeSession(o, session);
        unwatch(gone);
        note(o.bare, "leave", o.nick, codes.contains(333) ? "gone" : null);
        return afterDeparture(s);
    }

    /** A temporary room ends with its last occupant (section 10.1.2); a persistent one waits, then stops. */
    private Effect<Event, RoomState> afterDeparture(RoomState s) {
        if (!occupants.isEmpty()) {
            return Effect().none();
        }
        if (!s.config().persistent()) {
            recent.clear();
            unwritten.clear();
            unwrittenOps.clear();
            return Effect().persist(new RoomDestroyed(deps.clock().instant()))
                    .thenRun(st -> {
                        syncListing(st);
                        entity.getShard().tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
                    });
        }
        timers.startSingleTimer(Tick.IDLE, deps.settings().emptyRoomIdle());
        return Effect().none();
    }

    private Effect<Event, RoomState> onConnectionEnded(RoomState s, ActorRef<ConnectionMessage> connection) {
        watched.remove(connection);
        List<Map.Entry<Occupants.Occupant, Jid>> gone = occupants.byConnection(connection);
        for (Map.Entry<Occupants.Occupant, Jid> e : gone) {
            Occupants.Occupant o = e.getKey();
            if (o.sessions.size() > 1) {
                occupants.removeSession(o, e.getValue());
            } else {
                // section 7.14: a departure the occupant did not ask for (333)
                broadcastPresence(s, o, true, null, null, List.of(333), List.of(), null);
                occupants.removeSession(o, e.getValue());
                note(o.bare, "leave", o.nick, "connection lost");
            }
        }
        return afterDeparture(s);
    }

    // ---- messages -------------------------------------------------------------------------------

    private Effect<Event, RoomState> onMessage(RoomState s, Inbound in, Jid from) {
        XmlElement m = in.stanza();
        Jid to = Jid.ofOrNull(m.attr("to"));
        String type = m.attr("type");
        if (!s.exists()) {
            error(in, StanzaErrorCondition.ITEM_NOT_FOUND, null);
            return Effect().none();
        }
        Occupants.Occupant sender = occupants.byJid(from);
        if (to != null && to.hasResource()) {
            return privateMessage(s, in, sender, to.resource());
        }
        if ("groupchat".equals(type)) {
            return groupchat(s, in, sender);
        }
        XmlElement x = m.element("x", Namespaces.MUC_USER);
        if (x != null && (x.element("invite", Namespaces.MUC_USER) != null || x.element("decline", Namespaces.MUC_USER) != null)) {
            return invitations(s, in, from, sender, x);
        }
        XmlElement formElement = m.element("x", Namespaces.DATA_FORMS);
        DataForm form = formElement == null ? null : DataForm.fromElement(formElement);
        if (form != null && Namespaces.MUC_REQUEST.equals(form.formType())) {
            return voiceRequest(s, in, sender, form);
        }
        error(in, StanzaErrorCondition.BAD_REQUEST, "messages to the room are groupchat, invitations, declines or voice requests");
        return Effect().none();
    }

    /**
     * Section 7.13 and 8.6: a visitor in a moderated room asks for voice; every moderator gets the
     * approval form, and one who submits it with {@code muc#request_allow} true makes the visitor a
     * participant. Requests count against the visitor's message rate.
     */
    private Effect<Event, RoomState> voiceRequest(RoomState s, Inbound in, Occupants.Occupant sender, DataForm form) {
        if (sender == null) {
            error(in, StanzaErrorCondition.NOT_ACCEPTABLE, "only occupants ask for voice");
            return Effect().none();
        }
        if (form.field("muc#request_allow") != null) {
            if (sender.role != Role.MODERATOR) {
                error(in, StanzaErrorCondition.FORBIDDEN, "only moderators approve voice requests");
                return Effect().none();
            }
            String allow = form.value("muc#request_allow");
            Occupants.Occupant target = form.value("muc#roomnick") == null ? null : occupants.byNick(form.value("muc#roomnick"));
            if (!("true".equals(allow) || "1".equals(allow)) || target == null || target.role != Role.VISITOR) {
                return Effect().none();
            }
            return Effect().persist(logged(sender.bare, "role", target.nick, "participant (voice request)"))
                    .thenRun(st -> applyRole(st, target, Role.PARTICIPANT, sender, null));
        }
        if (sender.role != Role.VISITOR || !s.config().moderated()) {
            error(in, StanzaErrorCondition.NOT_ALLOWED, "only visitors of a moderated room ask for voice");
            return Effect().none();
        }
        if (!takeToken(sender)) {
            error(in, StanzaErrorCondition.RESOURCE_CONSTRAINT, "too many requests");
            return Effect().none();
        }
        Jid requester = Jid.ofOrNull(in.stanza().attr("from"));
        DataForm approval = new DataForm(DataForm.Type.FORM, "Voice request",
                List.of("To approve this request for voice, select the \"Grant voice to this person?\" checkbox and submit."),
                List.of(FormField.hidden("FORM_TYPE", Namespaces.MUC_REQUEST),
                        new FormField("muc#role", FormField.Type.LIST_SINGLE, "Requested role", null, false, List.of("participant"),
                                List.of()),
                        new FormField("muc#jid", FormField.Type.JID_SINGLE, "User ID", null, false,
                                List.of(requester == null ? sender.bare.toString() : requester.toString()), List.of()),
                        new FormField("muc#roomnick", FormField.Type.TEXT_SINGLE, "Room Nickname", null, false, List.of(sender.nick),
                                List.of()),
                        new FormField("muc#request_allow", FormField.Type.BOOLEAN, "Grant voice to this person?", null, false,
                                List.of("false"), List.of())),
                List.of(), List.of());
        XmlElement message = XmlElement.builder("message", Namespaces.CLIENT).attr("from", room.toString())
                .attr("id", "voice-" + Long.toHexString(System.nanoTime())).child(approval.toElement()).build();
        for (Occupants.Occupant o : occupants.all()) {
            if (o.role == Role.MODERATOR) {
                deliver(message, o);
            }
        }
        return Effect().none();
    }

    private boolean takeToken(Occupants.Occupant o) {
        long now = System.nanoTime();
        o.tokens = Math.min(deps.settings().messageBurst(), o.tokens + (now - o.tokensAt) * deps.settings().messagesPerSecond() / 1e9);
        o.tokensAt = now;
        if (o.tokens < 1) {
            return false;
        }
        o.tokens -= 1;
        return true;
    }

    private Effect<Event, RoomState> groupchat(RoomState s, Inbound in, Occupants.Occupant sender) {
        XmlElement m = in.stanza();
        if (sender == null) {
            error(in, StanzaErrorCondition.NOT_ACCEPTABLE, "only occupants may send messages to the room");
            return Effect().none();
        }
        if (!takeToken(sender)) {
            error(in, StanzaErrorCondition.RESOURCE_CONSTRAINT, "too many messages; slow down");
            return Effect().none();
        }
        XmlElement subject = m.element("subject", Namespaces.CLIENT);
        XmlElement body = m.element("body", Namespaces.CLIENT);
        if (subject != null && body == null) {
            boolean may = sender.role == Role.MODERATOR || s.config().changeSubject() && sender.role.hasVoice();
            if (!may) {
                error(in, StanzaErrorCondition.FORBIDDEN, "you may not change the subject");
                return Effect().none();
            }
            if (subject.text().length() > deps.settings().maxSubjectChars()) {
                error(in, StanzaErrorCondition.NOT_ACCEPTABLE, "a subject has at most " + deps.settings().maxSubjectChars() + " characters");
                return Effect().none();
            }
        } else if (!sender.role.hasVoice()) {
            error(in, StanzaErrorCondition.FORBIDDEN, "visitors have no voice in this moderated room");
            return Effect().none();
        }
        XmlElement out = reflected(s, m, sender);
        toAll(out);
        if (subject != null && body == null) {
            return Effect().persist(List.of(new SubjectChanged(out), logged(sender.bare, "subject", null, subject.text())));
        }
        if (body != null && s.config().historyLength() > 0) {
            RoomState.HistoryItem h = new RoomState.HistoryItem(out, deps.clock().instant(), body.text().length());
            recent.addLast(h);
            while (recent.size() > s.config().historyLength()) {
                recent.removeFirst();
            }
            if (s.config().persistent()) {
                unwritten.add(h);
                if (!timers.isTimerActive(Tick.FLUSH_HISTORY)) {
                    timers.startSingleTimer(Tick.FLUSH_HISTORY, HISTORY_FLUSH);
                }
            }
        }
        return Effect().none();
    }

    /** The message as occupants get it: from the sender's occupant JID, its occupant id stamped (none forged). */
    private XmlElement reflected(RoomState s, XmlElement m, Occupants.Occupant sender) {
        XmlElement.Builder b = XmlElement.builder("message", Namespaces.CLIENT)
                .attr("from", occupantJid(sender.nick).toString()).attr("type", m.attr("type")).attr("id", m.attr("id"))
                .attr(Namespaces.XML, "lang", m.lang());
        for (XmlNode c : m.children()) {
            if (!(c instanceof XmlElement e) || !e.namespace().equals(Namespaces.OCCUPANT_ID)) {
                b.child(c);
            }
        }
        b.child(sender.occupantId);
        return b.build();
    }

    private Effect<Event, RoomState> flushHistory(RoomState s) {
        List<Event> batch = unwrittenBatch(s);
        return batch.isEmpty() ? Effect().none() : Effect().persist(batch);
    }

    /** The history not written yet, as the event that writes it (none when there is nothing). */
    private List<Event> unwrittenBatch(RoomState s) {
        if (!s.exists()) {
            unwritten.clear();
            unwrittenOps.clear();
            return List.of();
        }
        List<Event> batch = new ArrayList<>(unwrittenOps.size() + 1);
        if (!unwritten.isEmpty()) {
            batch.add(new HistoryAdded(List.copyOf(unwritten)));
            unwritten.clear();
        }
        unwrittenOps.forEach(op -> batch.add(new OperationLogged(op)));
        unwrittenOps.clear();
        return batch;
    }

    /** An occupant's join, leave or nick change for the operation log, written with the next batch. */
    private void note(Jid actor, String action, String target, String detail) {
        unwrittenOps.add(new RoomState.Operation(deps.clock().instant(), actor == null ? null : actor.toString(), action, target, detail));
        if (!timers.isTimerActive(Tick.FLUSH_HISTORY)) {
            timers.startSingleTimer(Tick.FLUSH_HISTORY, HISTORY_FLUSH);
        }
    }

    /** Section 7.5: between occupants, from the sender's occupant JID. */
    private Effect<Event, RoomState> privateMessage(RoomState s, Inbound in, Occupants.Occupant sender, String nick) {
        XmlElement m = in.stanza();
        if (sender == null) {
            error(in, StanzaErrorCondition.NOT_ACCEPTABLE, "only occupants may send private messages");
            return Effect().none();
        }
        if ("groupchat".equals(m.attr("type"))) {
            error(in, StanzaErrorCondition.BAD_REQUEST, "a private message is not of type groupchat");
            return Effect().none();
        }
        boolean allowed = switch (s.config().allowPrivateMessages()) {
            case "anyone" -> true;
            case "participants" -> sender.role.hasVoice();
            case "moderators" -> sender.role == Role.MODERATOR;
            default -> false;
        };
        if (!allowed) {
            error(in, StanzaErrorCondition.FORBIDDEN, "private messages are not allowed here");
            return Effect().none();
        }
        Occupants.Occupant target = occupants.byNick(nick);
        if (target == null) {
            error(in, StanzaErrorCondition.ITEM_NOT_FOUND, "no such occupant");
            return Effect().none();
        }
        XmlElement out = m.withAttr("from", occupantJid(sender.nick).toString()).withAttr("to", null);
        if (out.element("x", Namespaces.MUC_USER) == null) {
            out = out.withChild(XmlElement.of("x", Namespaces.MUC_USER));
        }
        deliver(out, target);
        return Effect().none();
    }

    /** Section 7.8.2: mediated invitations, and declines back to the inviter. */
    private Effect<Event, RoomState> invitations(RoomState s, Inbound in, Jid from, Occupants.Occupant sender, XmlElement x) {
        XmlElement decline = x.element("decline", Namespaces.MUC_USER);
        if (decline != null) {
            Jid inviter = Jid.ofOrNull(decline.attr("to"));
            if (inviter != null) {
                XmlElement.Builder d = XmlElement.builder("decline", Namespaces.MUC_USER).attr("from", from.bare().toString());
                XmlElement reason = decline.element("reason", Namespaces.MUC_USER);
                if (reason != null) {
                    d.child(reason);
                }
                reply(XmlElement.builder("message", Namespaces.CLIENT).attr("from", room.toString()).attr("to", inviter.toString())
                        .child(XmlElement.builder("x", Namespaces.MUC_USER).child(d.build()).build()).build());
            }
            return Effect().none();
        }
        Affiliation aff = s.affiliation(from);
        if (sender == null && !aff.isAdminOrOwner()) {
            error(in, StanzaErrorCondition.NOT_ACCEPTABLE, "only occupants may invite");
            return Effect().none();
        }
        if (!s.config().allowInvites() && !aff.isAdminOrOwner()) {
            error(in, StanzaErrorCondition.FORBIDDEN, "you may not invite others to this room");
            return Effect().none();
        }
        List<Event> events = new ArrayList<>();
        for (XmlElement invite : x.elements("invite", Namespaces.MUC_USER)) {
            Jid invitee = Jid.ofOrNull(invite.attr("to"));
            if (invitee == null) {
                error(in, StanzaErrorCondition.JID_MALFORMED, "invite to whom?");
                return Effect().none();
            }
            XmlElement.Builder i = XmlElement.builder("invite", Namespaces.MUC_USER).attr("from", from.toString());
            XmlElement reason = invite.element("reason", Namespaces.MUC_USER);
            if (reason != null) {
                i.child(reason);
            }
            XmlElement.Builder ux = XmlElement.builder("x", Namespaces.MUC_USER).child(i.build());
            if (s.config().passwordProtected()) {
                ux.textElement("password", Namespaces.MUC_USER, s.config().password());
            }
            String text = from.bare() + " invites you to the room " + room + (reason == null ? "" : ": " + reason.text());
            reply(XmlElement.builder("message", Namespaces.CLIENT).attr("from", room.toString()).attr("to", invitee.toString())
                    .attr("id", in.stanza().attr("id"))
                    .child(ux.build())
                    .child(XmlElement.builder("x", Namespaces.CONFERENCE).attr("jid", room.toString()).build())
                    .textElement("body", Namespaces.CLIENT, text).build());
            if (s.config().membersOnly() && aff.isAdminOrOwner() && s.affiliation(invitee) == Affiliation.NONE) {
                events.add(new AffiliationChanged(invitee.bare(), Affiliation.MEMBER, "invited"));
                events.add(logged(from.bare(), "affiliation", invitee.bare().toString(), "member (invited)"));
            }
        }
        return events.isEmpty() ? Effect().none() : Effect().persist(events);
    }

    // ---- IQ -------------------------------------------------------------------------------------

    private Effect<Event, RoomState> onIq(RoomState s, Inbound in, Jid from) {
        Iq iq = Iq.of(in.stanza());
        Jid to = Jid.ofOrNull(in.stanza().attr("to"));
        if (!iq.isWellFormed()) {
            return Effect().none();
        }
        if (to != null && to.hasResource()) {
            return iqToOccupant(s, in, iq, from, to.resource());
        }
        if (!iq.isRequest()) {
            return Effect().none();
        }
        XmlElement q = iq.payload();
        boolean get = iq.type() == Iq.Type.GET;
        if (get && q.is("query", Namespaces.DISCO_INFO) && "x-roomuser-item".equals(q.attr("node")) && s.exists()) {
            // section 7.12: the nick the asker registered here, if any
            XmlElement.Builder r = XmlElement.builder("query", Namespaces.DISCO_INFO).attr("node", "x-roomuser-item");
            String nick = s.registeredNick(from);
            if (nick != null) {
                r.child(XmlElement.builder("identity", Namespaces.DISCO_INFO).attr("category", "conference").attr("type", "text")
                        .attr("name", nick).build());
            }
            reply(Iq.of(in.stanza()).resultReply(r.build()));
            return Effect().none();
        }
        if (get && q.is("query", Namespaces.DISCO_INFO)) {
            if (!s.exists() || q.attr("node") != null) {
                error(in, StanzaErrorCondition.ITEM_NOT_FOUND, null);
            } else {
                reply(Iq.of(in.stanza()).resultReply(discoInfo(s)));
            }
            return Effect().none();
        }
        if (get && q.is("query", Namespaces.DISCO_ITEMS)) {
            if (!s.exists()) {
                error(in, StanzaErrorCondition.ITEM_NOT_FOUND, null);
            } else {
                reply(Iq.of(in.stanza()).resultReply(XmlElement.of("query", Namespaces.DISCO_ITEMS)));
            }
            return Effect().none();
        }
        if (get && q.is("ping", Namespaces.PING)) {
            reply(Iq.of(in.stanza()).resultReply(null));
            return Effect().none();
        }
        if (!s.exists()) {
            error(in, StanzaErrorCondition.ITEM_NOT_FOUND, null);
            return Effect().none();
        }
        if (q.is("query", Namespaces.MUC_OWNER)) {
            return get ? ownerGet(s, in, from) : ownerSet(s, in, from, q);
        }
        if (get && q.is("query", Namespaces.PARLEY_MUC_LOG)) {
            return readLog(s, in, from, q);
        }
        if (q.is("query", Namespaces.IQ_REGISTER)) {
            return get ? registrationForm(s, in, from) : register(s, in, from, q);
        }
        if (q.is("query", Namespaces.MUC_ADMIN)) {
            return get ? adminGet(s, in, from, q) : adminSet(s, in, from, q);
        }
        error(in, StanzaErrorCondition.SERVICE_UNAVAILABLE, null);
        return Effect().none();
    }

    /** XEP-0410 self-ping answered here; other IQs go to the occupant's most recent session (section 7.7). */
    private Effect<Event, RoomState> iqToOccupant(RoomState s, Inbound in, Iq iq, Jid from, String nick) {
        Occupants.Occupant sender = occupants.byJid(from);
        Occupants.Occupant target = occupants.byNick(nick);
        if (!iq.isRequest()) {
            if (sender != null && target != null) {
                Occupants.Session last = lastSession(target);
                deliver(in.stanza().withAttr("from", occupantJid(sender.nick).toString()), List.of(last));
            }
            return Effect().none();
        }
        if (sender == null) {
            error(in, StanzaErrorCondition.NOT_ACCEPTABLE, "not an occupant of this room");
            return Effect().none();
        }
        if (target == null) {
            error(in, StanzaErrorCondition.ITEM_NOT_FOUND, null);
            return Effect().none();
        }
        if (target == sender && iq.payload().is("ping", Namespaces.PING)) {
            reply(iq.resultReply(null));
            return Effect().none();
        }
        deliver(in.stanza().withAttr("from", occupantJid(sender.nick).toString()), List.of(lastSession(target)));
        return Effect().none();
    }

    private static Occupants.Session lastSession(Occupants.Occupant o) {
        Occupants.Session last = null;
        for (Occupants.Session s : o.sessions.values()) {
            last = s;
        }
        return last;
    }

    private XmlElement discoInfo(RoomState s) {
        RoomConfig c = s.config();
        XmlElement.Builder q = XmlElement.builder("query", Namespaces.DISCO_INFO)
                .child(XmlElement.builder("identity", Namespaces.DISCO_INFO).attr("category", "conference").attr("type", "text")
                        .attr("name", c.name().isEmpty() ? room.local() : c.name()).build());
        List<String> features = new ArrayList<>(List.of(Namespaces.MUC, Namespaces.OCCUPANT_ID, "urn:xmpp:ping",
                Namespaces.PARLEY_MUC_LOG, Namespaces.MUC_REQUEST, Namespaces.IQ_REGISTER,
                c.persistent() ? "muc_persistent" : "muc_temporary",
                c.membersOnly() ? "muc_membersonly" : "muc_open",
                c.moderated() ? "muc_moderated" : "muc_unmoderated",
                c.passwordProtected() ? "muc_passwordprotected" : "muc_unsecured",
                c.publicRoom() ? "muc_public" : "muc_hidden",
                c.whoisAnyone() ? "muc_nonanonymous" : "muc_semianonymous"));
        features.forEach(f -> q.child(XmlElement.builder("feature", Namespaces.DISCO_INFO).attr("var", f).build()));
        List<FormField> info = new ArrayList<>();
        info.add(FormField.hidden("FORM_TYPE", Namespaces.MUC_ROOMINFO));
        info.add(new FormField("muc#roominfo_description", null, "Description", null, false, List.of(c.description()), List.of()));
        info.add(new FormField("muc#roominfo_occupants", null, "Number of occupants", null, false,
                List.of(Integer.toString(occupants.size())), List.of()));
        info.add(new FormField("muc#roomconfig_changesubject", FormField.Type.BOOLEAN, "Occupants may change the subject", null,
                false, List.of(c.changeSubject() ? "1" : "0"), List.of()));
        String subject = s.subject() == null ? "" : s.subject().elementText("subject", Namespaces.CLIENT);
        info.add(new FormField("muc#roominfo_subject", null, "Subject", null, false, List.of(subject == null ? "" : subject), List.of()));
        q.child(new DataForm(DataForm.Type.RESULT, null, List.of(), info, List.of(), List.of()).toElement());
        return q.build();
    }

    // ---- nick registration (section 7.10) ---------------------------------------------------------

    private Effect<Event, RoomState> registrationForm(RoomState s, Inbound in, Jid from) {
        Affiliation aff = s.affiliation(from);
        if (aff == Affiliation.OUTCAST) {
            error(in, StanzaErrorCondition.FORBIDDEN, "banned from this room");
            return Effect().none();
        }
        XmlElement.Builder q = XmlElement.builder("query", Namespaces.IQ_REGISTER);
        String nick = s.registeredNick(from);
        if (nick != null) {
            q.child(XmlElement.of("registered", Namespaces.IQ_REGISTER)).textElement("username", Namespaces.IQ_REGISTER, nick);
        } else {
            q.textElement("instructions", Namespaces.IQ_REGISTER, "Register a nick in this room; it makes you a member.");
            q.child(new DataForm(DataForm.Type.FORM, "Nick registration", List.of(),
                    List.of(FormField.hidden("FORM_TYPE", Namespaces.MUC_REGISTER),
                            new FormField("muc#register_roomnick", FormField.Type.TEXT_SINGLE, "Desired Nickname", null, true,
                                    List.of(), List.of())),
                    List.of(), List.of()).toElement());
        }
        reply(Iq.of(in.stanza()).resultReply(q.build()));
        return Effect().none();
    }

    /**
     * A submitted registration: the nick is reserved for the sender, who becomes a member (owners,
     * admins and members keep their affiliation); {@code <remove/>} releases it and the membership.
     */
    private Effect<Event, RoomState> register(RoomState s, Inbound in, Jid from, XmlElement q) {
        Affiliation aff = s.affiliation(from);
        Jid bare = from.bare();
        if (aff == Affiliation.OUTCAST) {
            error(in, StanzaErrorCondition.FORBIDDEN, "banned from this room");
            return Effect().none();
        }
        if (q.element("remove", Namespaces.IQ_REGISTER) != null) {
            if (s.registeredNick(from) == null) {
                error(in, StanzaErrorCondition.ITEM_NOT_FOUND, "no nick registered");
                return Effect().none();
            }
            List<Event> events = new ArrayList<>(List.of(new NickRegistered(bare, null)));
            if (aff == Affiliation.MEMBER) {
                events.add(new AffiliationChanged(bare, Affiliation.NONE, null));
            }
            events.add(logged(bare, "unregister", null, null));
            return Effect().persist(events).thenRun(st -> {
                reply(Iq.of(in.stanza()).resultReply(null));
                afterAffiliationChanges(s, st, events, from);
            });
        }
        XmlElement x = q.element("x", Namespaces.DATA_FORMS);
        DataForm form = x == null ? null : DataForm.fromElement(x);
        String nick = form == null ? null : form.value("muc#register_roomnick");
        if (form == null || form.type() != DataForm.Type.SUBMIT || nick == null || nick.isBlank() || nick.length() > MAX_TEXT) {
            error(in, StanzaErrorCondition.BAD_REQUEST, "submit the form with muc#register_roomnick");
            return Effect().none();
        }
        Jid owner = s.nickOwner(nick);
        Occupants.Occupant holder = occupants.byNick(nick);
        if (owner != null && !owner.equals(bare) || holder != null && !holder.bare.equals(bare)) {
            error(in, StanzaErrorCondition.CONFLICT, "nick registered or in use by someone else");
            return Effect().none();
        }
        List<Event> events = new ArrayList<>();
        if (aff == Affiliation.NONE) {
            events.add(new AffiliationChanged(bare, Affiliation.MEMBER, null));
        }
        events.add(new NickRegistered(bare, nick));
        events.add(logged(bare, "register", nick, null));
        return Effect().persist(events).thenRun(st -> {
            reply(Iq.of(in.stanza()).resultReply(null));
            afterAffiliationChanges(s, st, events, from);
        });
    }

    // ---- owner: configuration and destruction (section 10) ---------------------------------------

    /**
     * The operation log for an owner ({@code urn:parley:muc:log:0}): the most recent entries, oldest
     * first, at most the XEP-0059 {@code max} asked for (100 if none).
     */
    private Effect<Event, RoomState> readLog(RoomState s, Inbound in, Jid from, XmlElement q) {
        if (s.affiliation(from) != Affiliation.OWNER) {
            error(in, StanzaErrorCondition.FORBIDDEN, "only owners read the operation log");
            return Effect().none();
        }
        int max = 100;
        XmlElement set = q.element("set", Namespaces.RSM);
        if (set != null && set.elementText("max", Namespaces.RSM) != null) {
            try {
                max = Math.max(0, Math.min(RoomState.MAX_LOG, Integer.parseInt(set.elementText("max", Namespaces.RSM).trim())));
            } catch (NumberFormatException e) {
                error(in, StanzaErrorCondition.BAD_REQUEST, "max is a number");
                return Effect().none();
            }
        }
        List<RoomState.Operation> all = new ArrayList<>(s.log());
        all.addAll(unwrittenOps);
        // joins and leaves are written in batches, after actions logged at once: time orders them
        all.sort(java.util.Comparator.comparing(RoomState.Operation::at));
        List<RoomState.Operation> last = all.subList(Math.max(0, all.size() - max), all.size());
        XmlElement.Builder r = XmlElement.builder("query", Namespaces.PARLEY_MUC_LOG);
        for (RoomState.Operation op : last) {
            XmlElement.Builder e = XmlElement.builder("op", Namespaces.PARLEY_MUC_LOG).attr("at", op.at().toString())
                    .attr("action", op.action()).attr("by", op.actor()).attr("target", op.target());
            if (op.detail() != null) {
                e.text(op.detail());
            }
            r.child(e.build());
        }
        r.child(XmlElement.builder("set", Namespaces.RSM).textElement("count", Namespaces.RSM, Integer.toString(all.size())).build());
        reply(Iq.of(in.stanza()).resultReply(r.build()));
        return Effect().none();
    }

    private Effect<Event, RoomState> ownerGet(RoomState s, Inbound in, Jid from) {
        if (s.affiliation(from) != Affiliation.OWNER) {
            error(in, StanzaErrorCondition.FORBIDDEN, "only owners configure the room");
            return Effect().none();
        }
        DataForm form = s.config().toForm(s.withAffiliation(Affiliation.OWNER), s.withAffiliation(Affiliation.ADMIN),
                deps.settings().maxOccupants(), deps.settings().maxHistory());
        reply(Iq.of(in.stanza()).resultReply(XmlElement.builder("query", Namespaces.MUC_OWNER).child(form.toElement()).build()));
        return Effect().none();
    }

    private Effect<Event, RoomState> ownerSet(RoomState s, Inbound in, Jid from, XmlElement q) {
        if (s.affiliation(from) != Affiliation.OWNER) {
            error(in, StanzaErrorCondition.FORBIDDEN, "only owners configure or destroy the room");
            return Effect().none();
        }
        XmlElement destroy = q.element("destroy", Namespaces.MUC_OWNER);
        if (destroy != null) {
            return destroy(s, in, from, destroy);
        }
        XmlElement x = q.element("x", Namespaces.DATA_FORMS);
        if (x == null) {
            error(in, StanzaErrorCondition.BAD_REQUEST, "a configuration form or destroy");
            return Effect().none();
        }
        DataForm form;
        try {
            form = DataForm.fromElement(x);
        } catch (IllegalArgumentException e) {
            error(in, StanzaErrorCondition.BAD_REQUEST, e.getMessage());
            return Effect().none();
        }
        if (form.type() == DataForm.Type.CANCEL) {
            // section 10.1.3: cancelling the configuration of a new, locked room destroys it
            reply(Iq.of(in.stanza()).resultReply(null));
            if (s.locked()) {
                return destroyNow(s, null, null, null);
            }
            return Effect().none();
        }
        if (form.type() != DataForm.Type.SUBMIT) {
            error(in, StanzaErrorCondition.BAD_REQUEST, "submit or cancel the form");
            return Effect().none();
        }
        RoomConfig.Applied applied = s.config().applyForm(form, deps.settings().maxOccupants(), deps.settings().maxHistory(), MAX_TEXT);
        if (applied.error() != null) {
            error(in, StanzaErrorCondition.NOT_ACCEPTABLE, applied.error());
            return Effect().none();
        }
        List<Event> events = new ArrayList<>();
        RoomConfig before = s.config();
        RoomConfig after = applied.config();
        if (!after.equals(before)) {
            events.add(new RoomConfigured(after));
        }
        if (s.locked()) {
            events.add(RoomUnlocked.INSTANCE);
        }
        if (applied.owners() != null) {
            if (applied.owners().isEmpty()) {
                error(in, StanzaErrorCondition.CONFLICT, "a room needs an owner");
                return Effect().none();
            }
            listChanges(s, Affiliation.OWNER, applied.owners(), events);
        }
        if (applied.admins() != null) {
            listChanges(s, Affiliation.ADMIN, applied.admins(), events);
        }
        events.add(logged(from.bare(), "configure", null, after.changesFrom(before)));
        return Effect().persist(events).thenRun(st -> {
            reply(Iq.of(in.stanza()).resultReply(null));
            afterAffiliationChanges(s, st, events, from);
            configChanged(before, st);
            syncListing(st);
        });
    }

    /** Affiliation events that make the list {@code a} equal to {@code wanted}. */
    private static void listChanges(RoomState s, Affiliation a, List<Jid> wanted, List<Event> events) {
        for (Jid j : s.withAffiliation(a)) {
            if (!wanted.contains(j)) {
                events.add(new AffiliationChanged(j, Affiliation.NONE, null));
            }
        }
        for (Jid j : wanted) {
            if (s.affiliation(j) != a) {
                events.add(new AffiliationChanged(j, a, null));
            }
        }
    }

    /** Section 10.2.1: occupants hear of changes that concern privacy (and 104 for the rest). */
    private void configChanged(RoomConfig before, RoomState after) {
        RoomConfig c = after.config();
        List<Integer> codes = new ArrayList<>();
        if (before.whoisAnyone() != c.whoisAnyone()) {
            codes.add(c.whoisAnyone() ? 172 : 173);
        }
        if (before.logging() != c.logging()) {
            codes.add(c.logging() ? 170 : 171);
        }
        if (!before.equals(c)) {
            codes.add(104);
        }
        if (!codes.isEmpty() && !occupants.isEmpty()) {
            XmlElement.Builder x = XmlElement.builder("x", Namespaces.MUC_USER);
            codes.forEach(code -> x.child(XmlElement.builder("status", Namespaces.MUC_USER).attr("code", code.toString()).build()));
            toAll(XmlElement.builder("message", Namespaces.CLIENT).attr("from", room.toString()).attr("type", "groupchat")
                    .attr("id", "config-" + System.nanoTime()).child(x.build()).build());
        }
        if (c.membersOnly() && !before.membersOnly()) {
            // section 9.3 / 10.2: non-members leave a room that became members-only (322)
            for (Occupants.Occupant o : List.copyOf(occupants.all())) {
                if (!(o.affiliation == Affiliation.MEMBER || o.affiliation.isAdminOrOwner())) {
                    removeOccupant(after, o, List.of(322), null, null);
                }
            }
        }
        if (c.moderated() != before.moderated()) {
            for (Occupants.Occupant o : occupants.all()) {
                Role r = Role.defaultFor(o.affiliation, c.moderated());
                if (o.role != Role.MODERATOR && r != o.role) {
                    o.role = r;
                    broadcastPresence(after, o, false, null, null, List.of(), List.of(110), null);
                }
            }
        }
    }

    /** Section 10.9: every occupant is told, with the alternate venue; the room is forgotten. */
    private Effect<Event, RoomState> destroy(RoomState s, Inbound in, Jid from, XmlElement destroy) {
        XmlElement.Builder d = XmlElement.builder("destroy", Namespaces.MUC_USER).attr("jid", destroy.attr("jid"));
        XmlElement reason = destroy.element("reason", Namespaces.MUC_OWNER);
        if (reason != null) {
            d.textElement("reason", Namespaces.MUC_USER, reason.text());
        }
        String password = destroy.elementText("password", Namespaces.MUC_OWNER);
        if (password != null) {
            d.textElement("password", Namespaces.MUC_USER, password);
        }
        reply(Iq.of(in.stanza()).resultReply(null));
        return destroyNow(s, d.build(), from, reason == null ? null : reason.text());
    }

    private Effect<Event, RoomState> destroyNow(RoomState s, XmlElement destroyElement, Jid by, String reason) {
        for (Occupants.Occupant o : List.copyOf(occupants.all())) {
            o.affiliation = Affiliation.NONE;
            broadcastPresence(s, o, true, null, null, List.of(), List.of(110), destroyElement);
            occupants.remove(o);
            o.sessions.values().forEach(this::unwatch);
        }
        recent.clear();
        unwritten.clear();
        return Effect().persist(new RoomDestroyed(deps.clock().instant()))
                .thenRun(st -> {
                    syncListing(st);
                    entity.getShard().tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
                });
    }

    // ---- admin: roles and affiliations (sections 8 and 9) ----------------------------------------

    private Effect<Event, RoomState> adminGet(RoomState s, Inbound in, Jid from, XmlElement q) {
        XmlElement item = q.element("item", Namespaces.MUC_ADMIN);
        Affiliation actor = s.affiliation(from);
        Occupants.Occupant asker = occupants.byJid(from);
        if (item == null) {
            error(in, StanzaErrorCondition.BAD_REQUEST, "ask for an affiliation or a role");
            return Effect().none();
        }
        XmlElement.Builder out = XmlElement.builder("query", Namespaces.MUC_ADMIN);
        Affiliation a = Affiliation.fromValue(item.attr("affiliation"));
        Role r = Role.fromValue(item.attr("role"));
        if (a != null && a != Affiliation.NONE) {
            boolean allowed = actor.isAdminOrOwner() || a == Affiliation.MEMBER && actor == Affiliation.MEMBER;
            if (!allowed) {
                error(in, StanzaErrorCondition.FORBIDDEN, "only admins and owners see affiliation lists");
                return Effect().none();
            }
            for (RoomState.AffiliationEntry e : s.affiliations().values()) {
                if (e.affiliation() == a) {
                    XmlElement.Builder i = XmlElement.builder("item", Namespaces.MUC_ADMIN).attr("affiliation", a.value())
                            .attr("jid", e.jid().toString());
                    Occupants.Occupant o = occupants.byBare(e.jid());
                    if (o != null) {
                        i.attr("nick", o.nick).attr("role", o.role.value());
                    } else if (e.nick() != null) {
                        i.attr("nick", e.nick());
                    }
                    if (e.reason() != null) {
                        i.textElement("reason", Namespaces.MUC_ADMIN, e.reason());
                    }
                    out.child(i.build());
                }
            }
        } else if (r == Role.MODERATOR || r == Role.PARTICIPANT || r == Role.VISITOR) {
            if (asker == null || asker.role != Role.MODERATOR) {
                error(in, StanzaErrorCondition.FORBIDDEN, "only moderators see role lists");
                return Effect().none();
            }
            for (Occupants.Occupant o : occupants.all()) {
                if (o.role == r) {
                    out.child(XmlElement.builder("item", Namespaces.MUC_ADMIN).attr("role", r.value()).attr("nick", o.nick)
                            .attr("affiliation", o.affiliation.value()).attr("jid", o.sessions.keySet().iterator().next().toString())
                            .build());
                }
            }
        } else {
            error(in, StanzaErrorCondition.BAD_REQUEST, "an affiliation or role to list");
            return Effect().none();
        }
        reply(Iq.of(in.stanza()).resultReply(out.build()));
        return Effect().none();
    }

    /**
     * Every item of the request is checked first; then all are applied or none (section 9.1 ff.,
     * 8.1 ff.): a moderator changes roles of those it outranks, an admin affiliations up to member,
     * an owner any affiliation.
     */
    private Effect<Event, RoomState> adminSet(RoomState s, Inbound in, Jid from, XmlElement q) {
        Affiliation actorAff = s.affiliation(from);
        Occupants.Occupant actor = occupants.byJid(from);
        List<XmlElement> items = q.elements("item", Namespaces.MUC_ADMIN);
        if (items.isEmpty()) {
            error(in, StanzaErrorCondition.BAD_REQUEST, "no item");
            return Effect().none();
        }
        List<Event> events = new ArrayList<>();
        List<Runnable> roleChanges = new ArrayList<>();
        Map<Jid, Affiliation> affs = new LinkedHashMap<>();
        for (XmlElement item : items) {
            String reason = item.elementText("reason", Namespaces.MUC_ADMIN);
            Role role = Role.fromValue(item.attr("role"));
            Affiliation aff = Affiliation.fromValue(item.attr("affiliation"));
            if (item.attr("role") != null && role == null || item.attr("affiliation") != null && aff == null || role == null && aff == null) {
                error(in, StanzaErrorCondition.BAD_REQUEST, "an item names a valid role or affiliation");
                return Effect().none();
            }
            if (role != null) {
                Occupants.Occupant target = item.attr("nick") == null ? null : occupants.byNick(item.attr("nick"));
                if (target == null) {
                    error(in, StanzaErrorCondition.ITEM_NOT_FOUND, "no occupant with that nick");
                    return Effect().none();
                }
                StanzaErrorCondition refused = mayChangeRole(actor, actorAff, target, role);
                if (refused != null) {
                    error(in, refused, refused == StanzaErrorCondition.NOT_ALLOWED ? "you may not change this occupant's role"
                            : "only moderators change roles");
                    return Effect().none();
                }
                events.add(logged(from.bare(), role == Role.NONE ? "kick" : "role", target.nick, role.value()
                        + (reason == null ? "" : ": " + reason)));
                Occupants.Occupant t = target;
                roleChanges.add(() -> applyRole(s, t, role, actor, reason));
            } else {
                Jid jid = item.attr("jid") == null ? null : Jid.ofOrNull(item.attr("jid"));
                if (jid == null && item.attr("nick") != null) {
                    Occupants.Occupant o = occupants.byNick(item.attr("nick"));
                    jid = o == null ? null : o.bare;
                }
                if (jid == null) {
                    error(in, StanzaErrorCondition.BAD_REQUEST, "an affiliation change names a jid");
                    return Effect().none();
                }
                jid = jid.bare();
                StanzaErrorCondition refused = mayChangeAffiliation(s, actorAff, jid, aff);
                if (refused != null) {
                    error(in, refused, refused == StanzaErrorCondition.CONFLICT ? "the room would have no owner"
                            : "you may not change this affiliation");
                    return Effect().none();
                }
                affs.put(jid, aff);
                events.add(new AffiliationChanged(jid, aff, reason));
                events.add(logged(from.bare(), aff == Affiliation.OUTCAST ? "ban" : "affiliation", jid.toString(), aff.value()
                        + (reason == null ? "" : ": " + reason)));
            }
        }
        if (!affs.isEmpty()) {
            long owners = s.withAffiliation(Affiliation.OWNER).stream().filter(j -> !affs.containsKey(j) || affs.get(j) == Affiliation.OWNER).count()
                    + affs.entrySet().stream().filter(e -> e.getValue() == Affiliation.OWNER && s.affiliation(e.getKey()) != Affiliation.OWNER).count();
            if (owners == 0) {
                error(in, StanzaErrorCondition.CONFLICT, "the room would have no owner");
                return Effect().none();
            }
        }
        return Effect().persist(events).thenRun(st -> {
            reply(Iq.of(in.stanza()).resultReply(null));
            roleChanges.forEach(Runnable::run);
            afterAffiliationChanges(s, st, events, from);
        });
    }

    /** Section 8: null when allowed, else the error condition. */
    private static StanzaErrorCondition mayChangeRole(Occupants.Occupant actor, Affiliation actorAff, Occupants.Occupant target, Role role) {
        if (actor == null || actor.role != Role.MODERATOR) {
            return StanzaErrorCondition.FORBIDDEN;
        }
        if (target.affiliation.isAdminOrOwner() && (role != Role.MODERATOR)) {
            // nobody kicks, silences or demotes an admin or owner through roles (sections 8.2, 8.4, 8.6)
            return StanzaErrorCondition.NOT_ALLOWED;
        }
        if (role == Role.MODERATOR || target.role == Role.MODERATOR && role != Role.NONE) {
            return actorAff.isAdminOrOwner() ? null : StanzaErrorCondition.FORBIDDEN;
        }
        if (target.role == Role.MODERATOR && !actorAff.isAdminOrOwner()) {
            return StanzaErrorCondition.NOT_ALLOWED;
        }
        return null;
    }

    /** Section 9 and 10: admins handle members, none and outcasts below admin; owners everything. */
    private static StanzaErrorCondition mayChangeAffiliation(RoomState s, Affiliation actorAff, Jid target, Affiliation to) {
        Affiliation current = s.affiliation(target);
        if (actorAff == Affiliation.OWNER) {
            return null;
        }
        if (actorAff == Affiliation.ADMIN) {
            if (to.isAdminOrOwner() || current.isAdminOrOwner()) {
                return StanzaErrorCondition.NOT_ALLOWED;
            }
            return null;
        }
        return StanzaErrorCondition.FORBIDDEN;
    }

    private void applyRole(RoomState s, Occupants.Occupant target, Role role, Occupants.Occupant actor, String reason) {
        if (occupants.byNick(target.nick) != target) {
            return;
        }
        if (role == Role.NONE) {
            removeOccupant(s, target, List.of(307), actor, reason);
            return;
        }
        target.role = role;
        broadcastPresence(s, target, false, itemChildren(actor, reason), null, List.of(), List.of(110), null);
    }

    private static XmlElement itemChildren(Occupants.Occupant actor, String reason) {
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
    private void removeOccupant(RoomState s, Occupants.Occupant o, List<Integer> codes, Occupants.Occupant actor, String reason) {
        broadcastPresence(s, o, true, itemChildren(actor, reason), null, codes, List.of(110), null);
        occupants.remove(o);
        o.sessions.values().forEach(this::unwatch);
    }

    /** Occupants whose affiliation changed hear it; the banned and those who lost membership leave. */
    private void afterAffiliationChanges(RoomState before, RoomState after, List<Event> events, Jid by) {
        Occupants.Occupant actor = occupants.byJid(by);
        for (Event e : events) {
            if (!(e instanceof AffiliationChanged c)) {
                continue;
            }
            Occupants.Occupant o = occupants.byBare(c.jid());
            if (o == null) {
                continue;
            }
            o.affiliation = c.affiliation();
            if (c.affiliation() == Affiliation.OUTCAST) {
                removeOccupant(after, o, List.of(301), actor, c.reason());
            } else if (after.config().membersOnly() && c.affiliation() == Affiliation.NONE) {
                removeOccupant(after, o, List.of(321), actor, c.reason());
            } else {
                Role r = Role.defaultFor(c.affiliation(), after.config().moderated());
                if (c.affiliation().isAdminOrOwner() || o.role == Role.MODERATOR && !c.affiliation().isAdminOrOwner()) {
                    o.role = r;
                }
                broadcastPresence(after, o, false, itemChildren(actor, c.reason()), null, List.of(), List.of(110), null);
            }
        }
        if (occupants.isEmpty() && !after.config().persistent() && !before.equals(after)) {
            timers.startSingleTimer(Tick.IDLE, deps.settings().emptyRoomIdle());
        }
    }
}
