package io.parley.engine.storage;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.cluster.sharding.typed.javadsl.EntityContext;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.parley.persistence.CborSerializable;
import io.parley.persistence.JournalSerializable;
import io.parley.protocol.xml.XmlElement;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A user's stored XML documents by key, for services that keep one element per key: the vCard
 * (XEP-0054, key {@code vcard}) and private XML storage (XEP-0049, key
 * {@code private:<element> <namespace>}). Sharded and event-sourced by bare JID.
 */
public final class UserDataEntity extends EventSourcedBehaviorWithEnforcedReplies<UserDataEntity.Command, UserDataEntity.Event, UserDataEntity.State> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "userdata");
    /** The most documents one user may keep. */
    public static final int MAX_KEYS = 1000;

    public sealed interface Command extends CborSerializable {
    }

    public record Get(String key, ActorRef<Value> replyTo) implements Command {
    }

    /** The stored element, or null. */
    public record Value(XmlElement element) implements CborSerializable {
    }

    /** Stores (or, with a null element, removes) a document. */
    public record Put(String key, XmlElement element, ActorRef<Stored> replyTo) implements Command {
    }

    public record Stored(boolean ok) implements CborSerializable {
    }

    public enum Clear implements Command { INSTANCE }

    /** Every stored document by key (an export). */
    public record GetAll(ActorRef<Documents> replyTo) implements Command {
    }

    public record Documents(Map<String, XmlElement> documents) implements CborSerializable {
    }

    public sealed interface Event extends JournalSerializable {
    }

    @JsonTypeName("userdata.document-stored")
    public record DocumentStored(String key, XmlElement element) implements Event {
    }

    @JsonTypeName("userdata.document-removed")
    public record DocumentRemoved(String key) implements Event {
    }

    @JsonTypeName("userdata.cleared")
    public enum Cleared implements Event { INSTANCE }

    @JsonTypeName("userdata.state")
    public record State(Map<String, XmlElement> documents) implements JournalSerializable {
        public State {
            documents = Collections.unmodifiableMap(new TreeMap<>(documents));
        }

        State with(String key, XmlElement e) {
            TreeMap<String, XmlElement> m = new TreeMap<>(documents);
            m.put(key, e);
            return new State(m);
        }

        State without(String key) {
            TreeMap<String, XmlElement> m = new TreeMap<>(documents);
            m.remove(key);
            return new State(m);
        }
    }

    public static Behavior<Command> create(EntityContext<Command> entity, int snapshotEvery) {
        return new UserDataEntity(entity.getEntityId(), snapshotEvery);
    }

    private final int snapshotEvery;
    private final PendingWrite pending = new PendingWrite();

    private UserDataEntity(String bareJid, int snapshotEvery) {
        super(PersistenceId.of(TYPE_KEY.name(), bareJid), PendingWrite.restartOnStoreFailure());
        this.snapshotEvery = snapshotEvery;
    }

    @Override
    public State emptyState() {
        return new State(Map.of());
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(snapshotEvery, 2);
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return pending.answeredOnFailure(newSignalHandlerBuilder())
                .build();
    }

    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
        return newCommandHandlerWithReplyBuilder().forAnyState().onAnyCommand(this::handle);
    }

    private ReplyEffect<Event, State> handle(State s, Command command) {
        if (command instanceof Get c) {
            return Effect().reply(c.replyTo(), new Value(s.documents().get(c.key())));
        } else if (command instanceof Put c) {
            if (c.element() == null) {
                return s.documents().containsKey(c.key())
                        ? Effect().persist((Event) new DocumentRemoved(c.key())).thenReply(c.replyTo(), st -> new Stored(true))
                        : Effect().reply(c.replyTo(), new Stored(true));
            }
            if (!s.documents().containsKey(c.key()) && s.documents().size() >= MAX_KEYS) {
                return Effect().reply(c.replyTo(), new Stored(false));
            }
            pending.set(() -> c.replyTo().tell(new Stored(false)));
            return Effect().persist((Event) new DocumentStored(c.key(), c.element())).thenRun(st -> pending.clear())
                    .thenReply(c.replyTo(), st -> new Stored(true));
        } else if (command instanceof GetAll c) {
            return Effect().reply(c.replyTo(), new Documents(s.documents()));
        } else if (command instanceof Clear) {
            return s.documents().isEmpty() ? Effect().none().thenNoReply() : Effect().persist((Event) Cleared.INSTANCE).thenNoReply();
        }
        throw new IllegalArgumentException("unknown command " + command.getClass().getName());
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(UserDataEntity::apply);
    }

    static State apply(State s, Event event) {
        if (event instanceof DocumentStored e) {
            return s.with(e.key(), e.element());
        } else if (event instanceof DocumentRemoved e) {
            return s.without(e.key());
        } else if (event instanceof Cleared) {
            return new State(Map.of());
        }
        throw new IllegalArgumentException("unknown event " + event.getClass().getName());
    }
}
