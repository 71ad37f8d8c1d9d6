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
import io.parley.engine.storage.PendingWrite;
import io.parley.persistence.CborSerializable;
import io.parley.persistence.JournalSerializable;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.xml.XmlElement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One Multi-User Chat room (XEP-0045), by its bare JID: a sharded, event-sourced entity. Its
 * durable state ({@link RoomState}: existence, lock, configuration, affiliations, subject,
 * history, operation log) is events; its occupants are volatile ({@link Occupants}). Every stanza
 * addressed to the room or to an occupant JID in it comes here as {@link Inbound} with the
 * sender's connection, so the room delivers to occupants' connections directly: locally one
 * tell per occupant, to another node one {@link MucFanout.Deliver} per node. This class holds
 * the protocol and dispatches; the behaviour is in parts, each a class of its own working on the
 * room's volatile side ({@link Room}): {@link Admission}, {@link Occupancy}, {@link Messages},
 * {@link History}, {@link Invitations}, {@link VoiceRequests}, {@link Queries},
 * {@link Registration}, {@link OperationLog}, {@link Configuration}, {@link Affiliations}.
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
     *     room stopped under it: the occupant comes back silently ({@code MucExtension.InRoom});
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

    private final Room r;

    private RoomEntity(Jid room, EntityContext<Command> entity, Deps deps, ActorContext<Command> ctx,
                       TimerScheduler<Command> timers) {
        super(PersistenceId.of(TYPE_KEY.name(), room.toString()), PendingWrite.restartOnStoreFailure());
        this.r = new Room(room, entity, deps, ctx, timers, Effect());
    }

    @Override
    public RoomState emptyState() {
        return RoomState.EMPTY;
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(r.deps.snapshotEvery(), 2);
    }

    @Override
    public SignalHandler<RoomState> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), s -> {
                    r.recent.clear();
                    r.recent.addAll(s.history());
                    if (s.exists()) {
                        r.syncListing(s); // repairs the list if an earlier change did not reach it
                    }
                    r.timers.startSingleTimer(Tick.IDLE, r.deps.settings().emptyRoomIdle());
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

    /** Dispatches to the parts of the room's behaviour, each in its own class. */
    private Effect<Event, RoomState> handle(RoomState s, Command command) {
        if (command instanceof Inbound in) {
            Jid from = Jid.ofOrNull(in.stanza().attr("from"));
            if (from == null || !from.isFull()) {
                return Effect().none();
            }
            if ("error".equals(in.stanza().attr("type")) && !in.stanza().name().equals("iq")) {
                // an occupant's client bounced a message or presence the room sent: it is gone (333)
                Occupants.Occupant o = r.occupants.byJid(from);
                return o == null ? Effect().none() : Occupancy.leave(r, s, o, from, List.of(333));
            }
            return switch (in.stanza().name()) {
                case "message" -> Messages.onMessage(r, s, in, from);
                case "presence" -> Occupancy.onPresence(r, s, in, from);
                default -> Queries.onIq(r, s, in, from);
            };
        } else if (command instanceof ConnectionEnded c) {
            return Occupancy.onConnectionEnded(r, s, c.connection());
        } else if (command == Tick.FLUSH_HISTORY) {
            return History.flushHistory(r, s);
        } else if (command == Tick.STOP) {
            List<Event> batch = History.unwrittenBatch(r, s);
            return batch.isEmpty() ? Effect().stop() : Effect().persist(batch).thenStop();
        } else if (command == Tick.IDLE) {
            if (!r.occupants.isEmpty()) {
                return Effect().none();
            }
            if (s.exists() && !s.config().persistent()) {
                // a temporary room whose occupants went with a node that died: it ends now
                return Occupancy.afterDeparture(r, s);
            }
            List<Event> batch = History.unwrittenBatch(r, s);
            return Effect().persist(batch).thenRun(st -> r.entity.getShard().tell(new ClusterSharding.Passivate<>(r.ctx.getSelf())));
        }
        throw new IllegalArgumentException("unknown command " + command.getClass().getName());
    }
}
