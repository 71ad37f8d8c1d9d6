package io.parley.engine.session;

import io.parley.engine.routing.ToClient;
import io.parley.engine.routing.ConnectionMessage;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityContext;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import akka.persistence.typed.RecoveryCompleted;
import io.parley.engine.storage.PendingWrite;
import io.parley.engine.routing.HandoffRescue;
import io.parley.engine.routing.Router;
import io.parley.engine.storage.UserDataEntity;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.parley.persistence.CborSerializable;
import io.parley.persistence.JournalSerializable;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.sasl.StoredCredentials;
import io.parley.protocol.stanza.Message;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.stream.StreamErrorCondition;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One account, by bare JID: a sharded, event-sourced entity. Durable (events): credentials,
 * offline messages (XEP-0160), last activity, block list (XEP-0191). Volatile: the live
 * sessions, which connections bind and unbind. It delivers stanzas addressed to the account
 * (RFC 6121 section 8.5), echoes and broadcasts its sessions' presence (through the roster
 * entity, which knows who may see it), answers probes and stores messages while nobody is on.
 * With no session it passivates itself after {@link #IDLE}.
 */
public final class UserEntity extends EventSourcedBehaviorWithEnforcedReplies<UserEntity.Command, UserEntity.Event, UserState> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "user");
    static final Duration IDLE = Duration.ofSeconds(120);

    // ---- protocol -------------------------------------------------------------------------------

    public sealed interface Command extends CborSerializable {
    }

    /** Replies to account changes. */
    public enum AccountReply implements CborSerializable { DONE, EXISTS, NO_ACCOUNT, FULL, STORE_FAILED }

    public record GetCredentials(ActorRef<Credentials> replyTo) implements Command {
    }

    /** The account's credentials, or null when there is no account. */
    public record Credentials(StoredCredentials credentials) implements CborSerializable {
    }

    public record CreateAccount(StoredCredentials credentials, ActorRef<AccountReply> replyTo) implements Command {
    }

    public record ChangePassword(StoredCredentials credentials, ActorRef<AccountReply> replyTo) implements Command {
    }

    /** Deletes the account; every session but {@code keepResource}'s is closed (that one closes itself). */
    public record DeleteAccount(String keepResource, ActorRef<AccountReply> replyTo) implements Command {
    }

    /** Binds a resource (null: the server picks one) to a connection. */
    public record Bind(String resource, ActorRef<ConnectionMessage> connection, boolean replace,
                       ActorRef<BindReply> replyTo) implements Command {
    }

    /**
     * The bound resource, or why binding failed; with the avatar hash the session adds to its
     * presence (XEP-0153), null when the entity does not know it yet.
     */
    public record BindReply(String resource, StanzaErrorCondition error, String avatarHash, ActorRef<Command> entity)
            implements CborSerializable {
    }

    /**
     * A connection whose user entity went away (moved to another node by a rebalance, a node
     * leaving or failing) registers its bound session again, with what the entity knew of it:
     * its last available presence (null when unavailable) and whether it gets roster and block
     * list pushes. Nothing is broadcast: the contacts already know the presence.
     */
    public record Reattach(String resource, ActorRef<ConnectionMessage> connection, XmlElement presence,
                           boolean rosterInterested, boolean blocklistInterested, ActorRef<BindReply> replyTo) implements Command {
    }

    /** The account's vCard photo changed (or was learnt): its hash, "" for none. */
    public record SetAvatarHash(String hash) implements Command {
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

    /** A session asked for its roster (pushes follow) or its block list. */
    public record MarkInterested(String resource, boolean blocklist) implements Command {
    }

    /** Broadcast presence (no 'to') from one of the user's resources: available or unavailable. */
    public record SessionPresence(String resource, XmlElement presence, boolean floodOffline) implements Command {
    }

    /** Send the contact the presence of each available resource (available=true), or unavailable from each. */
    public record SendPresenceTo(Jid contact, boolean available) implements Command {
    }

    public record AnswerProbe(Jid prober, String probeId) implements Command {
    }

    public record DeliverToAvailable(XmlElement stanza) implements Command {
    }

    /** Stanzas and pushes for sessions that asked for the roster (or the block list). */
    public record DeliverToInterested(XmlElement stanza, boolean blocklist) implements Command {
    }

    /** A stanza for one session only (a stored subscription request for a resource that just came online). */
    public record DeliverToSession(String resource, XmlElement stanza) implements Command {
    }

    /** A stanza addressed to this account, from anywhere. */
    public record Deliver(XmlElement stanza) implements Command {
    }

    /** Flexible offline message retrieval (XEP-0013). {@code ids} empty means all. */
    public record Offline(String resource, OfflineOp op, List<Long> ids, ActorRef<OfflineReply> replyTo) implements Command {
    }

    public enum OfflineOp { COUNT, HEADERS, FETCH, REMOVE }

    public record OfflineHeader(long id, String from) implements CborSerializable {
    }

    public record OfflineReply(int count, List<OfflineHeader> headers) implements CborSerializable {
    }

    /** Stores messages as they are (delay stamps kept), after any already stored: an import from another server. */
    public record ImportOffline(List<XmlElement> messages, ActorRef<AccountReply> replyTo) implements Command {
    }

    /** Every stored offline message, oldest first (an export). */
    public record GetOfflineMessages(ActorRef<OfflineMessages> replyTo) implements Command {
    }

    public record OfflineMessages(List<XmlElement> messages) implements CborSerializable {
    }

    public record GetLastActivity(ActorRef<LastActivity> replyTo) implements Command {
    }

    /** Whether a resource is available, and when the last one went away. */
    public record LastActivity(boolean exists, boolean online, Instant lastSeen, String status) implements CborSerializable {
    }

    public record GetBlocklist(ActorRef<Blocklist> replyTo) implements Command {
    }

    public record Blocklist(Set<Jid> jids) implements CborSerializable {
    }

    public record Block(List<Jid> jids, ActorRef<AccountReply> replyTo) implements Command {
    }

    /** Unblocks these addresses; an empty list unblocks everyone. */
    public record Unblock(List<Jid> jids, ActorRef<AccountReply> replyTo) implements Command {
    }

    public record ListSessions(ActorRef<Sessions> replyTo) implements Command {
    }

    public record Sessions(boolean exists, List<SessionTable.Info> sessions) implements CborSerializable {
    }

    public record KickSession(String resource, ActorRef<AccountReply> replyTo) implements Command {
    }

    /** Sharding's stop message, and the self-passivation check. */
    public enum Lifecycle implements Command { PASSIVATE, IDLE_CHECK, ANNOUNCE_GONE, STOP }

    /**
     * From this node's {@link io.parley.engine.routing.HandoffRescue}, answering the claim a
     * stopping entity makes: what sharding dropped for it at a hand-off, oldest first. Local only.
     */
    public record Rescued(List<Command> commands) implements Command, akka.actor.NoSerializationVerificationNeeded {
    }

    public sealed interface Event extends JournalSerializable {
    }

    @JsonTypeName("user.account-created")
    public record AccountCreated(StoredCredentials credentials, Instant at) implements Event {
    }

    @JsonTypeName("user.password-changed")
    public record PasswordChanged(StoredCredentials credentials) implements Event {
    }

    @JsonTypeName("user.account-deleted")
    public record AccountDeleted(Instant at) implements Event {
    }

    @JsonTypeName("user.offline-stored")
    public record OfflineStored(long seq, XmlElement message) implements Event {
    }

    @JsonTypeName("user.offline-removed")
    public record OfflineRemoved(List<Long> seqs) implements Event {
    }

    @JsonTypeName("user.last-seen")
    public record LastSeen(Instant at, String status) implements Event {
    }

    @JsonTypeName("user.jids-blocked")
    public record JidsBlocked(List<Jid> jids) implements Event {
    }

    @JsonTypeName("user.jids-unblocked")
    public record JidsUnblocked(List<Jid> jids) implements Event {
    }

    /** A resource became available; recorded so that an entity restarted elsewhere knows who was on. */
    @JsonTypeName("user.resource-online")
    public record ResourceOnline(String resource) implements Event {
    }

    /** These resources went away while others stayed (the last one going is a {@link LastSeen}). */
    @JsonTypeName("user.resources-gone")
    public record ResourcesGone(List<String> resources) implements Event {
    }

    @JsonTypeName("user.avatar-hash-changed")
    public record AvatarHashChanged(String hash) implements Event {
    }

    // ---- behaviour ------------------------------------------------------------------------------

    /**
     * What the entity needs from the node.
     *
     * @param rescue this node's keeper of messages sharding dropped at a hand-off
     * @param contacts who may see the user's presence (the roster)
     */
    public record Deps(Jid domain, Router router, ClusterSharding sharding, int maxOffline, Clock clock, int snapshotEvery,
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
    private final Deps deps;
    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;
    private final SessionTable sessions = new SessionTable();
    private final PendingWrite pending = new PendingWrite();
    /**
     * Restarted with resources recorded as available but no session yet (its node was lost or its
     * shard moved): deliveries wait in the stash until those sessions register again or the grace
     * period ends, so nothing meant for a live session goes to offline storage meanwhile.
     */
    private boolean holding;
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
     * commands (delivery, presence) come first.
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
            return onDeliver(s, c);
        } else if (command instanceof DeliverToAvailable c) {
            return none(() -> sessions.sendToAvailable(c.stanza()));
        } else if (command instanceof DeliverToInterested c) {
            return none(() -> sessions.sendToInterested(c.stanza(), c.blocklist()));
        } else if (command instanceof DeliverToSession c) {
            return onDeliverToSession(s, c);
        } else if (command instanceof SessionPresence c) {
            return onSessionPresence(s, c);
        } else if (command instanceof SendPresenceTo c) {
            return onSendPresenceTo(s, c);
        } else if (command instanceof AnswerProbe c) {
            return onAnswerProbe(s, c);
        } else if (command instanceof MarkInterested c) {
            return onMarkInterested(s, c);
        } else if (command instanceof Offline c) {
            return onOffline(s, c);
        } else if (command instanceof ImportOffline c) {
            return onImportOffline(s, c);
        } else if (command instanceof GetOfflineMessages c) {
            return Effect().reply(c.replyTo(), new OfflineMessages(List.copyOf(s.offline().values())));
        } else if (command instanceof GetCredentials c) {
            return Effect().reply(c.replyTo(), new Credentials(s.credentials()));
        } else if (command instanceof Bind c) {
            return onBind(s, c);
        } else if (command instanceof Reattach c) {
            return onReattach(s, c);
        } else if (command instanceof Unbind c) {
            return onUnbind(s, c);
        } else if (command instanceof Detach c) {
            // everything this entity sent to the connection before is ahead of Detached in its mailbox
            c.connection().tell(ToClient.Detached.INSTANCE);
            return onUnbind(s, new Unbind(c.resource(), c.connection(), null));
        } else if (command instanceof ConnectionTerminated c) {
            return onTerminated(s, c);
        } else if (command instanceof CreateAccount c) {
            return onCreate(s, c);
        } else if (command instanceof ChangePassword c) {
            return onChangePassword(s, c);
        } else if (command instanceof DeleteAccount c) {
            return onDelete(s, c);
        } else if (command instanceof GetLastActivity c) {
            return Effect().reply(c.replyTo(), new LastActivity(s.exists(), sessions.anyAvailable(), s.lastSeen(), s.lastStatus()));
        } else if (command instanceof GetBlocklist c) {
            return Effect().reply(c.replyTo(), new Blocklist(s.blocked()));
        } else if (command instanceof Block c) {
            return onBlock(s, c);
        } else if (command instanceof Unblock c) {
            return onUnblock(s, c);
        } else if (command instanceof ListSessions c) {
            return Effect().reply(c.replyTo(), new Sessions(s.exists(), sessions.describe()));
        } else if (command instanceof KickSession c) {
            return onKick(s, c);
        } else if (command instanceof Lifecycle c) {
            return onLifecycle(s, c);
        } else if (command instanceof Rescued c) {
            // handled here, in order, before this incarnation stops
            c.commands().forEach(ctx.getSelf()::tell);
            ctx.getSelf().tell(Lifecycle.STOP);
            return Effect().none().thenNoReply();
        } else if (command instanceof SetAvatarHash c) {
            return !s.exists() || c.hash().equals(s.avatarHash()) ? Effect().none().thenNoReply()
                    : Effect().persist((Event) new AvatarHashChanged(c.hash())).thenNoReply();
        }
        throw new IllegalArgumentException("unknown command " + command.getClass().getName());
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
                    if (!s.online().isEmpty() && sessions.isEmpty()) {
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
        return newEventHandlerBuilder().forAnyState().onAnyEvent(UserEntity::apply);
    }

    static UserState apply(UserState s, Event event) {
        if (event instanceof OfflineStored e) {
            return s.withOffline(e.seq(), e.message());
        } else if (event instanceof OfflineRemoved e) {
            return s.withoutOffline(e.seqs());
        } else if (event instanceof LastSeen e) {
            return s.withLastSeen(e.at(), e.status());
        } else if (event instanceof AccountCreated e) {
            return s.withAccount(e.credentials(), e.at());
        } else if (event instanceof PasswordChanged e) {
            return s.withCredentials(e.credentials());
        } else if (event instanceof AccountDeleted) {
            return s.deleted();
        } else if (event instanceof JidsBlocked e) {
            return s.withBlocked(e.jids());
        } else if (event instanceof JidsUnblocked e) {
            return s.withUnblocked(e.jids());
        } else if (event instanceof AvatarHashChanged e) {
            return s.withAvatarHash(e.hash());
        } else if (event instanceof ResourceOnline e) {
            return s.withOnline(e.resource());
        } else if (event instanceof ResourcesGone e) {
            return s.withoutOnline(e.resources());
        }
        throw new IllegalArgumentException("unknown event " + event.getClass().getName());
    }

    private ReplyEffect<Event, UserState> none(Runnable sideEffect) {
        sideEffect.run();
        return Effect().none().thenNoReply();
    }

    // ---- accounts -------------------------------------------------------------------------------

    private ReplyEffect<Event, UserState> onCreate(UserState s, CreateAccount c) {
        if (s.exists()) {
            return Effect().reply(c.replyTo(), AccountReply.EXISTS);
        }
        pending.set(() -> c.replyTo().tell(AccountReply.STORE_FAILED));
        return Effect().persist(new AccountCreated(c.credentials(), deps.clock().instant())).thenRun(st -> pending.clear())
                .thenReply(c.replyTo(), st -> AccountReply.DONE);
    }

    private ReplyEffect<Event, UserState> onChangePassword(UserState s, ChangePassword c) {
        if (!s.exists()) {
            return Effect().reply(c.replyTo(), AccountReply.NO_ACCOUNT);
        }
        pending.set(() -> c.replyTo().tell(AccountReply.STORE_FAILED));
        return Effect().persist(new PasswordChanged(c.credentials())).thenRun(st -> pending.clear())
                .thenReply(c.replyTo(), st -> AccountReply.DONE);
    }

    private ReplyEffect<Event, UserState> onDelete(UserState s, DeleteAccount c) {
        if (!s.exists()) {
            return Effect().reply(c.replyTo(), AccountReply.NO_ACCOUNT);
        }
        return Effect().persist(new AccountDeleted(deps.clock().instant())).thenRun(st -> {
            deps.contacts().accountDeleted(user);
            deps.sharding().entityRefFor(UserDataEntity.TYPE_KEY, user.toString()).tell(UserDataEntity.Clear.INSTANCE);
            for (LiveSession session : new ArrayList<>(sessions.all())) {
                if (!session.resource.equals(c.keepResource())) {
                    session.connection.tell(new ToClient.Kick(StreamErrorCondition.NOT_AUTHORIZED, "the account was removed"));
                }
            }
        }).thenReply(c.replyTo(), st -> AccountReply.DONE);
    }

    // ---- sessions -------------------------------------------------------------------------------

    private ReplyEffect<Event, UserState> onBind(UserState s, Bind c) {
        if (!s.exists()) {
            return Effect().reply(c.replyTo(), new BindReply(null, StanzaErrorCondition.NOT_AUTHORIZED, null, null));
        }
        String resource = c.resource() == null ? sessions.freshResource() : c.resource();
        LiveSession old = sessions.get(resource);
        if (old != null) {
            if (!c.replace()) {
                return Effect().reply(c.replyTo(), new BindReply(null, StanzaErrorCondition.CONFLICT, null, null));
            }
            old.connection.tell(new ToClient.Kick(StreamErrorCondition.CONFLICT, "replaced by a new session"));
            endSession(s, old, null);
        }
        addSession(resource, c.connection());
        return Effect().reply(c.replyTo(), new BindReply(resource, null, s.avatarHash(), ctx.getSelf()));
    }

    /** A live session for this connection, watched so that it ends when the connection does. */
    private LiveSession addSession(String resource, ActorRef<ConnectionMessage> connection) {
        LiveSession session = new LiveSession(user.withResource(resource), connection);
        sessions.put(session);
        ctx.watchWith(connection, new ConnectionTerminated(resource, connection));
        timers.cancel(Lifecycle.IDLE_CHECK);
        return session;
    }

    private ReplyEffect<Event, UserState> onReattach(UserState s, Reattach c) {
        if (!s.exists()) {
            return Effect().reply(c.replyTo(), new BindReply(null, StanzaErrorCondition.NOT_AUTHORIZED, null, null));
        }
        LiveSession existing = sessions.get(c.resource());
        if (existing != null && !existing.connection.equals(c.connection())) {
            // the resource was bound again meanwhile (a reconnecting client): the newer session wins
            return Effect().reply(c.replyTo(), new BindReply(null, StanzaErrorCondition.CONFLICT, null, null));
        }
        if (existing == null) {
            LiveSession session = addSession(c.resource(), c.connection());
            session.setPresence(c.presence());
            session.rosterInterested = c.rosterInterested();
            session.blocklistInterested = c.blocklistInterested();
        }
        ReplyEffect<Event, UserState> reply = Effect().reply(c.replyTo(), new BindReply(c.resource(), null, s.avatarHash(), ctx.getSelf()));
        if (holding && s.online().stream().allMatch(r -> sessions.get(r) != null)) {
            holding = false;
            timers.cancel(Lifecycle.ANNOUNCE_GONE);
            return reply.thenUnstashAll();
        }
        return reply;
    }

    private ReplyEffect<Event, UserState> onUnbind(UserState s, Unbind c) {
        LiveSession session = sessions.get(c.resource(), c.connection());
        if (session == null) {
            return Effect().none().thenNoReply();
        }
        ctx.unwatch(c.connection());
        return endSession(s, session, c.unavailable());
    }

    private ReplyEffect<Event, UserState> onTerminated(UserState s, ConnectionTerminated c) {
        LiveSession session = sessions.get(c.resource(), c.connection());
        return session == null ? Effect().none().thenNoReply() : endSession(s, session, null);
    }

    /** Removes a session; if it was available, its unavailable presence goes out first (RFC 6121 4.5.2). */
    private ReplyEffect<Event, UserState> endSession(UserState s, LiveSession session, XmlElement unavailable) {
        boolean wasAvailable = session.isAvailable();
        sessions.remove(session);
        if (sessions.isEmpty()) {
            scheduleIdleCheck();
        }
        if (!wasAvailable) {
            return Effect().none().thenNoReply();
        }
        XmlElement presence = unavailable != null ? unavailable.withAttr("to", null).withAttr("from", session.jid.toString())
                : unavailableFrom(session.jid);
        return goUnavailable(s, session, presence);
    }

    private ReplyEffect<Event, UserState> goUnavailable(UserState s, LiveSession session, XmlElement unavailable) {
        session.setPresence(null);
        sessions.sendToAvailable(unavailable);
        if (sessions.get(session.resource) == session) {
            session.send(unavailable.withAttr("to", session.jid.toString()));
        }
        deps.contacts().broadcast(user, unavailable, s.blocked());
        if (sessions.anyAvailable()) {
            return s.online().contains(session.resource)
                    ? Effect().persist((Event) new ResourcesGone(List.of(session.resource))).thenNoReply()
                    : Effect().none().thenNoReply();
        }
        String status = unavailable.elementText("status", unavailable.namespace());
        return Effect().persist(new LastSeen(deps.clock().instant(), status)).thenNoReply();
    }

    private ReplyEffect<Event, UserState> onMarkInterested(UserState s, MarkInterested c) {
        LiveSession session = sessions.get(c.resource());
        if (session != null) {
            if (c.blocklist()) {
                session.blocklistInterested = true;
            } else {
                session.rosterInterested = true;
            }
        }
        return Effect().none().thenNoReply();
    }

    // ---- presence -------------------------------------------------------------------------------

    private ReplyEffect<Event, UserState> onSessionPresence(UserState s, SessionPresence c) {
        LiveSession session = sessions.get(c.resource());
        if (session == null) {
            return Effect().none().thenNoReply();
        }
        XmlElement presence = c.presence().withAttr("to", null).withAttr("from", session.jid.toString());
        if ("unavailable".equals(presence.attr("type"))) {
            return session.isAvailable() ? goUnavailable(s, session, presence) : Effect().none().thenNoReply();
        }
        boolean initial = !session.isAvailable();
        session.setPresence(presence);
        sessions.sendToAvailable(presence);
        if (!initial) {
            deps.contacts().broadcast(user, presence, s.blocked());
            return Effect().none().thenNoReply();
        }
        for (LiveSession other : sessions.available()) {
            if (other != session) {
                session.send(other.presence.withAttr("to", session.jid.toString()));
            }
        }
        deps.contacts().initialPresence(user, session.jid, presence, s.blocked());
        List<Event> events = new ArrayList<>(2);
        if (!s.online().contains(session.resource)) {
            events.add(new ResourceOnline(session.resource));
        }
        if (c.floodOffline() && session.priority >= 0 && !s.offline().isEmpty()) {
            List<Long> sent = new ArrayList<>(s.offline().keySet());
            for (XmlElement m : s.offline().values()) {
                session.send(m);
            }
            events.add(new OfflineRemoved(sent));
        }
        return events.isEmpty() ? Effect().none().thenNoReply() : Effect().persist(events).thenNoReply();
    }

    private ReplyEffect<Event, UserState> onSendPresenceTo(UserState s, SendPresenceTo c) {
        for (LiveSession session : sessions.available()) {
            XmlElement p = c.available() ? session.presence : unavailableFrom(session.jid);
            deps.router().route(p.withAttr("to", c.contact().toString()), c.contact());
        }
        return Effect().none().thenNoReply();
    }

    private ReplyEffect<Event, UserState> onAnswerProbe(UserState s, AnswerProbe c) {
        List<LiveSession> available = sessions.available();
        if (!available.isEmpty()) {
            for (LiveSession session : available) {
                deps.router().route(session.presence.withAttr("to", c.prober().toString()), c.prober());
            }
        } else {
            XmlElement.Builder b = XmlElement.builder("presence", Namespaces.CLIENT).attr("from", user.toString())
                    .attr("to", c.prober().toString()).attr("type", "unavailable").attr("id", c.probeId());
            if (s.lastSeen() != null) {
                b.child(XmlElement.builder("delay", Namespaces.DELAY).attr("from", deps.domain().toString())
                        .attr("stamp", s.lastSeen().toString()).build());
            }
            deps.router().route(b.build(), c.prober());
        }
        return Effect().none().thenNoReply();
    }

    // ---- delivery -------------------------------------------------------------------------------

    private ReplyEffect<Event, UserState> onDeliver(UserState s, Deliver c) {
        XmlElement stanza = c.stanza();
        Jid from = Jid.ofOrNull(stanza.attr("from"));
        Jid to = Jid.ofOrNull(stanza.attr("to"));
        if (to == null) {
            return Effect().none().thenNoReply();
        }
        if (s.isBlocked(from)) {
            // XEP-0191 3.3.1: nothing from a blocked entity gets through; requests learn only that nobody is here
            if (!stanza.name().equals("presence")) {
                bounce(stanza, StanzaErrorCondition.SERVICE_UNAVAILABLE);
            }
            return Effect().none().thenNoReply();
        }
        return switch (stanza.name()) {
            case "message" -> deliverMessage(s, stanza, to);
            case "presence" -> deliverPresence(s, stanza, to);
            default -> deliverIq(stanza, to);
        };
    }

    private ReplyEffect<Event, UserState> deliverMessage(UserState s, XmlElement stanza, Jid to) {
        Message m = Message.of(stanza);
        MessageDelivery.Decision d = MessageDelivery.decide(m.type(), to.resource(), sessions.all(), s.exists());
        switch (d.action()) {
            case DELIVER -> d.to().forEach(session -> session.send(stanza));
            case BOUNCE -> bounce(stanza, StanzaErrorCondition.SERVICE_UNAVAILABLE);
            case STORE_OFFLINE -> {
                if (!MessageDelivery.worthStoring(m)) {
                    return Effect().none().thenNoReply();
                }
                if (s.offline().size() >= deps.maxOffline()) {
                    bounce(stanza, StanzaErrorCondition.SERVICE_UNAVAILABLE);
                    return Effect().none().thenNoReply();
                }
                XmlElement stamped = stanza.withChild(XmlElement.builder("delay", Namespaces.DELAY)
                        .attr("from", deps.domain().toString())
                        .attr("stamp", deps.clock().instant().toString())
                        .text("Offline storage").build());
                // a message the store could not keep goes back to its sender (RFC 6120 8.3.3.18)
                pending.set(() -> bounce(stanza, StanzaErrorCondition.RESOURCE_CONSTRAINT));
                return Effect().persist(new OfflineStored(s.nextOfflineSeq(), stamped)).thenRun(st -> pending.clear()).thenNoReply();
            }
            default -> {
            }
        }
        return Effect().none().thenNoReply();
    }

    private ReplyEffect<Event, UserState> onDeliverToSession(UserState s, DeliverToSession c) {
        LiveSession session = sessions.get(c.resource());
        if (session != null) {
            session.send(SessionTable.addressed(c.stanza(), session));
        }
        return Effect().none().thenNoReply();
    }

    private ReplyEffect<Event, UserState> deliverPresence(UserState s, XmlElement stanza, Jid to) {
        if (Router.isRosterBound(stanza)) {
            // subscriptions and probes for an account that does not exist are ignored (RFC 6121 8.5.1)
            if (s.exists()) {
                deps.contacts().inbound(user, stanza);
            }
            return Effect().none().thenNoReply();
        }
        if (to.hasResource()) {
            LiveSession session = sessions.get(to.resource());
            if (session != null) {
                session.send(stanza);
            }
        } else {
            for (LiveSession session : sessions.available()) {
                session.send(stanza);
            }
        }
        return Effect().none().thenNoReply();
    }

    private ReplyEffect<Event, UserState> deliverIq(XmlElement stanza, Jid to) {
        LiveSession session = to.hasResource() ? sessions.get(to.resource()) : null;
        if (session != null) {
            session.send(stanza);
        } else {
            bounce(stanza, StanzaErrorCondition.SERVICE_UNAVAILABLE);
        }
        return Effect().none().thenNoReply();
    }

    private void bounce(XmlElement stanza, StanzaErrorCondition condition) {
        Router.bounce(stanza, condition).ifPresent(error -> {
            Jid back = Jid.ofOrNull(error.attr("to"));
            if (back != null) {
                deps.router().route(error, back);
            }
        });
    }

    // ---- offline retrieval (XEP-0013) -----------------------------------------------------------

    private ReplyEffect<Event, UserState> onOffline(UserState s, Offline c) {
        List<Long> ids = c.ids().isEmpty() ? new ArrayList<>(s.offline().keySet())
                : c.ids().stream().filter(s.offline()::containsKey).toList();
        switch (c.op()) {
            case COUNT -> {
                return Effect().reply(c.replyTo(), new OfflineReply(s.offline().size(), List.of()));
            }
            case HEADERS -> {
                List<OfflineHeader> headers = new ArrayList<>();
                for (Map.Entry<Long, XmlElement> e : s.offline().entrySet()) {
                    headers.add(new OfflineHeader(e.getKey(), e.getValue().attr("from")));
                }
                return Effect().reply(c.replyTo(), new OfflineReply(headers.size(), headers));
            }
            case FETCH -> {
                LiveSession session = sessions.get(c.resource());
                if (session != null) {
                    for (Long id : ids) {
                        session.send(s.offline().get(id).withChild(XmlElement.builder("offline", "http://jabber.org/protocol/offline")
                                .child(XmlElement.builder("item", "http://jabber.org/protocol/offline").attr("node", id.toString()).build())
                                .build()));
                    }
                }
                return Effect().reply(c.replyTo(), new OfflineReply(ids.size(), List.of()));
            }
            default -> {
                if (ids.isEmpty()) {
                    return Effect().reply(c.replyTo(), new OfflineReply(0, List.of()));
                }
                return Effect().persist(new OfflineRemoved(ids)).thenReply(c.replyTo(), st -> new OfflineReply(ids.size(), List.of()));
            }
        }
    }

    private ReplyEffect<Event, UserState> onImportOffline(UserState s, ImportOffline c) {
        if (!s.exists()) {
            return Effect().reply(c.replyTo(), AccountReply.NO_ACCOUNT);
        }
        if (c.messages().isEmpty()) {
            return Effect().reply(c.replyTo(), AccountReply.DONE);
        }
        List<Event> events = new ArrayList<>();
        long seq = s.nextOfflineSeq();
        for (XmlElement m : c.messages()) {
            events.add(new OfflineStored(seq++, m));
        }
        pending.set(() -> c.replyTo().tell(AccountReply.STORE_FAILED));
        return Effect().persist(events).thenRun(st -> pending.clear()).thenReply(c.replyTo(), st -> AccountReply.DONE);
    }

    // ---- blocking (XEP-0191) --------------------------------------------------------------------

    private ReplyEffect<Event, UserState> onBlock(UserState s, Block c) {
        List<Jid> fresh = c.jids().stream().filter(j -> !s.blocked().contains(j)).toList();
        if (fresh.isEmpty()) {
            return Effect().reply(c.replyTo(), AccountReply.DONE);
        }
        return Effect().persist(new JidsBlocked(fresh)).thenRun(st -> {
            // the blocked entities see the user go offline
            for (Jid j : fresh) {
                for (LiveSession session : sessions.available()) {
                    deps.router().route(unavailableFrom(session.jid).withAttr("to", j.toString()), j);
                }
            }
            sessions.sendToInterested(blocklistPush("block", fresh), true);
            sessions.all().forEach(x -> x.connection.tell(new ToClient.BlocklistChanged(st.blocked())));
        }).thenReply(c.replyTo(), st -> AccountReply.DONE);
    }

    private ReplyEffect<Event, UserState> onUnblock(UserState s, Unblock c) {
        List<Jid> gone = c.jids().isEmpty() ? new ArrayList<>(s.blocked())
                : c.jids().stream().filter(s.blocked()::contains).toList();
        if (gone.isEmpty()) {
            return Effect().reply(c.replyTo(), AccountReply.DONE);
        }
        return Effect().persist(new JidsUnblocked(c.jids().isEmpty() ? List.of() : gone)).thenRun(st -> {
            sessions.sendToInterested(blocklistPush("unblock", c.jids().isEmpty() ? List.of() : gone), true);
            sessions.all().forEach(x -> x.connection.tell(new ToClient.BlocklistChanged(st.blocked())));
            if (sessions.anyAvailable()) {
                deps.contacts().resendPresence(user, gone);
            }
        }).thenReply(c.replyTo(), st -> AccountReply.DONE);
    }

    private static XmlElement blocklistPush(String name, List<Jid> jids) {
        XmlElement.Builder b = XmlElement.builder(name, "urn:xmpp:blocking");
        for (Jid j : jids) {
            b.child(XmlElement.builder("item", "urn:xmpp:blocking").attr("jid", j.toString()).build());
        }
        return XmlElement.builder("iq", Namespaces.CLIENT).attr("type", "set").attr("id", "block-push").child(b.build()).build();
    }

    // ---- operations and lifecycle ---------------------------------------------------------------

    private ReplyEffect<Event, UserState> onKick(UserState s, KickSession c) {
        LiveSession session = sessions.get(c.resource());
        if (session == null) {
            return Effect().reply(c.replyTo(), AccountReply.NO_ACCOUNT);
        }
        session.connection.tell(new ToClient.Kick(StreamErrorCondition.POLICY_VIOLATION, "kicked by the administrator"));
        return Effect().reply(c.replyTo(), AccountReply.DONE);
    }

    private ReplyEffect<Event, UserState> onLifecycle(UserState s, Lifecycle c) {
        if (c == Lifecycle.STOP) {
            return Effect().stop().thenNoReply();
        }
        if (c == Lifecycle.PASSIVATE) {
            return onStopMessage();
        }
        if (c == Lifecycle.ANNOUNCE_GONE) {
            return announceGone(s);
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

    /** Recorded resources that no connection registered again: their contacts see them go unavailable. */
    private ReplyEffect<Event, UserState> announceGone(UserState s) {
        holding = false;
        List<String> gone = s.online().stream().filter(r -> {
            LiveSession live = sessions.get(r);
            return live == null || !live.isAvailable();
        }).toList();
        if (gone.isEmpty()) {
            return Effect().none().thenNoReply().thenUnstashAll();
        }
        for (String resource : gone) {
            XmlElement unavailable = unavailableFrom(user.withResource(resource));
            sessions.sendToAvailable(unavailable);
            deps.contacts().broadcast(user, unavailable, s.blocked());
        }
        return sessions.anyAvailable() ? Effect().persist((Event) new ResourcesGone(gone)).thenNoReply().thenUnstashAll()
                : Effect().persist((Event) new LastSeen(deps.clock().instant(), null)).thenNoReply().thenUnstashAll();
    }

    /** An unavailable presence from a session's full JID, with no 'to'. */
    public static XmlElement unavailableFrom(Jid from) {
        return XmlElement.builder("presence", Namespaces.CLIENT).attr("from", from.toString()).attr("type", "unavailable").build();
    }

    private void scheduleIdleCheck() {
        timers.startSingleTimer(Lifecycle.IDLE_CHECK, Lifecycle.IDLE_CHECK, IDLE);
    }

    /** The stop message sharding sends when it passivates or hands off the entity. */
    public static Command stopMessage() {
        return Lifecycle.PASSIVATE;
    }
}
