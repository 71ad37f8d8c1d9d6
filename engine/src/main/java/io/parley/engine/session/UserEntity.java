package io.parley.engine.session;

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
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.EffectFactories;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.engine.routing.HandoffRescue;
import io.parley.engine.routing.Router;
import io.parley.engine.routing.ToClient;
import io.parley.engine.storage.PendingWrite;
import io.parley.persistence.CborSerializable;
import io.parley.persistence.JournalSerializable;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.stream.StreamErrorCondition;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * One account, by bare JID: a sharded, event-sourced entity. Its own business is the live
 * sessions (volatile: connections bind, unbind and register again after a move) and presence
 * (RFC 6121: echoes, broadcast through the roster, probes, delivery to the right resources,
 * section 8.5); everything else a user keeps is a {@link UserFeature}'s: the account itself,
 * offline messages, the block list, the avatar hash, each with its own slice of the
 * {@link UserState}, its events and its commands, and hooks where the delivery and presence code
 * asks the features. This class dispatches and persists. With no session it passivates itself
 * after {@link #IDLE}.
 */
public final class UserEntity extends EventSourcedBehaviorWithEnforcedReplies<UserEntity.Command, UserEntity.Event, UserState>
        implements UserContext {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "user");
    static final Duration IDLE = Duration.ofSeconds(120);

    // ---- protocol -------------------------------------------------------------------------------

    /** What a user entity accepts; features add their own commands. */
    public interface Command extends CborSerializable {
    }

    /** What a user entity stores; each feature's events change its own slice. */
    public interface Event extends JournalSerializable {
    }

    /** Binds a resource (null: the server picks one) to a connection. */
    public record Bind(String resource, ActorRef<ConnectionMessage> connection, boolean replace,
                       ActorRef<BindReply> replyTo) implements Command {
    }

    /**
     * The bound resource, or why binding failed. Before it, the entity sent the connection each
     * feature's seed (the session's copy of the block list, the avatar hash).
     */
    public record BindReply(String resource, StanzaErrorCondition error, ActorRef<Command> entity) implements CborSerializable {
    }

    /**
     * A connection whose user entity went away (moved to another node by a rebalance, a node
     * leaving or failing) registers its bound session again, with what the entity knew of it:
     * its last available presence (null when unavailable) and the flags features set on it.
     * Nothing is broadcast: the contacts already know the presence.
     */
    public record Reattach(String resource, ActorRef<ConnectionMessage> connection, XmlElement presence, Set<String> flags,
                           ActorRef<BindReply> replyTo) implements Command {
    }

    /** A connection ends; {@code unavailable} is the client's own unavailable presence, if it sent one. */
    public record Unbind(String resource, ActorRef<ConnectionMessage> connection, XmlElement unavailable) implements Command {
    }

    /**
     * A connection about to close because its node stops: the session ends as with {@link Unbind},
     * and {@link ToClient.Detached}, sent to the connection after everything already sent to it,
     * tells it that it may close its stream without losing what was on its way.
     */
    public record Detach(String resource, ActorRef<ConnectionMessage> connection) implements Command {
    }

    record ConnectionTerminated(String resource, ActorRef<ConnectionMessage> connection) implements Command {
    }

    /** A feature marks a session: it asked for roster pushes, for block list pushes, manages offline messages itself. */
    public record SetFlag(String resource, String flag) implements Command {
    }

    /** Broadcast presence (no 'to') from one of the user's resources: available or unavailable. */
    public record SessionPresence(String resource, XmlElement presence) implements Command {
    }

    /** Send the contact the presence of each available resource (available=true), or unavailable from each. */
    public record SendPresenceTo(Jid contact, boolean available) implements Command {
    }

    public record AnswerProbe(Jid prober, String probeId) implements Command {
    }

    public record DeliverToAvailable(XmlElement stanza) implements Command {
    }

    /** Stanzas and pushes for the sessions with a flag (those that asked for the roster, say). */
    public record DeliverToFlagged(XmlElement stanza, String flag) implements Command {
    }

    /** A stanza for one session only (a stored subscription request for a resource that just came online). */
    public record DeliverToSession(String resource, XmlElement stanza) implements Command {
    }

    /** A stanza addressed to this account, from anywhere. */
    public record Deliver(XmlElement stanza) implements Command {
    }

    public record GetLastActivity(ActorRef<LastActivity> replyTo) implements Command {
    }

    /** Whether a resource is available, and when the last one went away. */
    public record LastActivity(boolean exists, boolean online, Instant lastSeen, String status) implements CborSerializable {
    }

    public record ListSessions(ActorRef<Sessions> replyTo) implements Command {
    }

    public record Sessions(boolean exists, List<SessionTable.Info> sessions) implements CborSerializable {
    }

    public record KickSession(String resource, ActorRef<Account.Reply> replyTo) implements Command {
    }

    /** Sharding's stop message, and the self-passivation check. */
    public enum Lifecycle implements Command { PASSIVATE, IDLE_CHECK, ANNOUNCE_GONE, STOP }

    /**
     * From this node's {@link HandoffRescue}, answering the claim a stopping entity makes: what
     * sharding dropped for it at a hand-off, oldest first. Local only.
     */
    public record Rescued(List<Command> commands) implements Command, akka.actor.NoSerializationVerificationNeeded {
    }

    // ---- behaviour ------------------------------------------------------------------------------

    /**
     * What the entity needs from the node.
     *
     * @param features the node's user features (the account and presence ones included)
     * @param rescue this node's keeper of messages sharding dropped at a hand-off
     * @param contacts who may see the user's presence (the roster)
     */
    public record Deps(Jid domain, Router router, ClusterSharding sharding, UserFeatures features, Clock clock, int snapshotEvery,
                       Duration reattachGrace, ActorRef<HandoffRescue.Command> rescue, Contacts contacts) {
    }

    /** What {@link HandoffRescue} needs to hand user entities back what sharding dropped for them. */
    public static final HandoffRescue.Claimed<Command> RESCUE = new HandoffRescue.Claimed<>(TYPE_KEY, Command.class, Rescued::new);

    public static Behavior<Command> create(EntityContext<Command> entity, Deps deps) {
        return Behaviors.withTimers(timers -> Behaviors.setup(ctx ->
                new UserEntity(Jid.of(entity.getEntityId()), entity, deps, ctx, timers)));
    }

    private final Jid user;
    private final EntityContext<Command> entity;
    final Deps deps;
    final ActorContext<Command> ctx;
    final TimerScheduler<Command> timers;
    final SessionTable sessions = new SessionTable();
    private final PendingWrite pending = new PendingWrite();
    /**
     * Restarted with resources recorded as available but no session yet (its node was lost or its
     * shard moved): deliveries wait in the stash until those sessions register again or the grace
     * period ends, so nothing meant for a live session goes to offline storage meanwhile.
     */
    boolean holding;
    /** The stop message came: what sharding dropped for this entity is claimed, handled, then it stops. */
    private boolean stopping;
    /**
     * Stopping while holding: the held commands, and any that still arrive, go on through sharding
     * to the next incarnation, which holds them for the same sessions.
     */
    private boolean forwarding;

    private UserEntity(Jid user, EntityContext<Command> entity, Deps deps, ActorContext<Command> ctx,
                       TimerScheduler<Command> timers) {
        super(PersistenceId.of(TYPE_KEY.name(), user.toString()), PendingWrite.restartOnStoreFailure());
        this.user = user;
        this.entity = entity;
        this.deps = deps;
        this.ctx = ctx;
        this.timers = timers;
        scheduleIdleCheck();
    }

    @Override
    public UserState emptyState() {
        return UserState.EMPTY;
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(deps.snapshotEvery(), 2);
    }

    /**
     * One dispatching case, not one builder case per command: the handler objects are built for
     * every entity instance, and with tens of thousands of users online that adds up. The hot
     * commands (delivery, presence) come first; the features' commands are looked up in the
     * node's table.
     */
    @Override
    public CommandHandlerWithReply<Command, Event, UserState> commandHandler() {
        return newCommandHandlerWithReplyBuilder().forAnyState().onAnyCommand(this::handle);
    }

    private ReplyEffect<Event, UserState> handle(UserState s, Command command) {
        if (forwarding && !(command instanceof Lifecycle || command instanceof Rescued)) {
            deps.sharding().entityRefFor(TYPE_KEY, user.toString()).tell(command);
            return Effect().none().thenNoReply();
        }
        if (holding && !(command instanceof Reattach || command instanceof Bind || command instanceof Unbind
                || command instanceof Detach || command instanceof ConnectionTerminated || command instanceof Lifecycle)) {
            // everything else waits, in order: a query answered now would overtake a message held before it
            return Effect().stash();
        }
        if (command instanceof Deliver c) {
            return Delivery.deliver(this, s, c.stanza());
        } else if (command instanceof DeliverToAvailable c) {
            return none(() -> sessions.sendToAvailable(c.stanza()));
        } else if (command instanceof DeliverToFlagged c) {
            return none(() -> sessions.sendToFlagged(c.stanza(), c.flag()));
        } else if (command instanceof DeliverToSession c) {
            return Presences.deliverToSession(this, c);
        } else if (command instanceof SessionPresence c) {
            return Presences.sessionPresence(this, s, c);
        } else if (command instanceof SendPresenceTo c) {
            return Presences.sendPresenceTo(this, c);
        } else if (command instanceof AnswerProbe c) {
            return Presences.answerProbe(this, s, c);
        } else if (command instanceof SetFlag c) {
            LiveSession session = sessions.get(c.resource());
            return none(() -> {
                if (session != null) {
                    session.flag(c.flag());
                }
            });
        } else if (command instanceof Bind c) {
            return Presences.bind(this, s, c);
        } else if (command instanceof Reattach c) {
            return Presences.reattach(this, s, c);
        } else if (command instanceof Unbind c) {
            return Presences.unbind(this, s, c);
        } else if (command instanceof Detach c) {
            // everything this entity sent to the connection before is ahead of Detached in its mailbox
            c.connection().tell(ToClient.Detached.INSTANCE);
            return Presences.unbind(this, s, new Unbind(c.resource(), c.connection(), null));
        } else if (command instanceof ConnectionTerminated c) {
            return Presences.terminated(this, s, c);
        } else if (command instanceof GetLastActivity c) {
            Availability a = s.get(Availability.SLICE);
            return Effect().reply(c.replyTo(), new LastActivity(s.exists(), sessions.anyAvailable(), a.lastSeen(), a.lastStatus()));
        } else if (command instanceof ListSessions c) {
            return Effect().reply(c.replyTo(), new Sessions(s.exists(), sessions.describe()));
        } else if (command instanceof KickSession c) {
            return onKick(c);
        } else if (command instanceof Lifecycle c) {
            return onLifecycle(s, c);
        } else if (command instanceof Rescued c) {
            // handled here, in order, before this incarnation stops
            c.commands().forEach(ctx.getSelf()::tell);
            ctx.getSelf().tell(Lifecycle.STOP);
            return Effect().none().thenNoReply();
        }
        UserFeatures.Handler<Command> h = deps.features().handler(command);
        if (h == null) {
            throw new IllegalArgumentException("no feature handles " + command.getClass().getName());
        }
        return h.handle(this, s, command);
    }

    /**
     * A store failure restarts the entity with backoff (the same object: live sessions stay) and
     * whoever waited for the failed write is told; the idle check's timer does not survive a
     * restart, so recovery arms it again.
     */
    @Override
    public SignalHandler<UserState> signalHandler() {
        return pending.answeredOnFailure(newSignalHandlerBuilder())
                .onSignal(RecoveryCompleted.instance(), s -> {
                    if (sessions.isEmpty()) {
                        scheduleIdleCheck();
                    }
                    if (!s.get(Availability.SLICE).online().isEmpty() && sessions.isEmpty()) {
                        holding = true;
                        // resources were available when this entity last ran (on a node that is gone, or
                        // before a crash): their connections get this long to register again, then the
                        // contacts hear that the others went away
                        timers.startSingleTimer(Lifecycle.ANNOUNCE_GONE, Lifecycle.ANNOUNCE_GONE, deps.reattachGrace());
                    }
                })
                .build();
    }

    @Override
    public EventHandler<UserState, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(deps.features()::apply);
    }

    ReplyEffect<Event, UserState> none(Runnable sideEffect) {
        sideEffect.run();
        return Effect().none().thenNoReply();
    }

    // ---- UserContext: what features see ---------------------------------------------------------

    @Override
    public Jid user() {
        return user;
    }

    @Override
    public Jid domain() {
        return deps.domain();
    }

    @Override
    public ActorRef<Command> self() {
        return ctx.getSelf();
    }

    @Override
    public SessionTable sessions() {
        return sessions;
    }

    @Override
    public Router router() {
        return deps.router();
    }

    @Override
    public Contacts contacts() {
        return deps.contacts();
    }

    @Override
    public ClusterSharding sharding() {
        return deps.sharding();
    }

    @Override
    public Clock clock() {
        return deps.clock();
    }

    @Override
    public PendingWrite pending() {
        return pending;
    }

    @Override
    public EffectFactories<Event, UserState> effect() {
        return Effect();
    }

    @Override
    public void bounce(XmlElement stanza, StanzaErrorCondition condition) {
        Router.bounce(stanza, condition).ifPresent(error -> {
            Jid back = Jid.ofOrNull(error.attr("to"));
            if (back != null) {
                deps.router().route(error, back);
            }
        });
    }

    // ---- operations and lifecycle ---------------------------------------------------------------

    private ReplyEffect<Event, UserState> onKick(KickSession c) {
        LiveSession session = sessions.get(c.resource());
        if (session == null) {
            return Effect().reply(c.replyTo(), Account.Reply.NO_ACCOUNT);
        }
        session.tell(new ToClient.Kick(StreamErrorCondition.POLICY_VIOLATION, "kicked by the administrator"));
        return Effect().reply(c.replyTo(), Account.Reply.DONE);
    }

    private ReplyEffect<Event, UserState> onLifecycle(UserState s, Lifecycle c) {
        if (c == Lifecycle.STOP) {
            return Effect().stop().thenNoReply();
        }
        if (c == Lifecycle.PASSIVATE) {
            return onStopMessage();
        }
        if (c == Lifecycle.ANNOUNCE_GONE) {
            return Presences.announceGone(this, s);
        }
        if (sessions.isEmpty()) {
            entity.getShard().tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
        }
        return Effect().none().thenNoReply();
    }

    /**
     * Sharding's stop message (passivation or hand-off). Before stopping, the entity claims what
     * sharding dropped for it at a hand-off and handles it, so a message routed in the moment the
     * shard moved is neither lost nor overtaken by newer ones at the next incarnation. An entity
     * still holding for its sessions sends what it holds on to the next incarnation instead.
     */
    private ReplyEffect<Event, UserState> onStopMessage() {
        if (stopping) {
            return Effect().none().thenNoReply();
        }
        stopping = true;
        deps.rescue().tell(new HandoffRescue.Claim(user.toString(), ctx.getSelf()));
        if (holding) {
            holding = false;
            forwarding = true;
            timers.cancel(Lifecycle.ANNOUNCE_GONE);
            return Effect().none().thenNoReply().thenUnstashAll();
        }
        return Effect().none().thenNoReply();
    }

    /** An unavailable presence from a session's full JID, with no 'to'. */
    public static XmlElement unavailableFrom(Jid from) {
        return XmlElement.builder("presence", Namespaces.CLIENT).attr("from", from.toString()).attr("type", "unavailable").build();
    }

    void scheduleIdleCheck() {
        timers.startSingleTimer(Lifecycle.IDLE_CHECK, Lifecycle.IDLE_CHECK, IDLE);
    }

    /** The stop message sharding sends when it passivates or hands off the entity. */
    public static Command stopMessage() {
        return Lifecycle.PASSIVATE;
    }
}
