package io.parley.engine.session;

import akka.persistence.typed.javadsl.ReplyEffect;
import io.parley.engine.routing.ToClient;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.xml.XmlElement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The features of a node's user entities, built once at start from what each {@link UserFeature}
 * registered and shared by every entity (handler tables per entity instance would cost memory for
 * each online user). The account and presence features of the session package are always there.
 */
public final class UserFeatures {

    /** Answers one kind of command. */
    @FunctionalInterface
    public interface Handler<C extends UserEntity.Command> {
        ReplyEffect<UserEntity.Event, UserState> handle(UserContext ctx, UserState s, C command);
    }

    /** How an event changes the state: the state unchanged when the event is not this feature's business. */
    @FunctionalInterface
    public interface Fold {
        UserState apply(UserState s, UserEntity.Event event);
    }

    /** A stanza for the account from {@code from}: false stops it (the hook answered or dropped it). */
    @FunctionalInterface
    public interface Admission {
        boolean admit(UserContext ctx, UserState s, XmlElement stanza, Jid from);
    }

    /** A message that no session takes: an effect that takes it (offline storage), or null to leave it to the next. */
    @FunctionalInterface
    public interface Undeliverable {
        ReplyEffect<UserEntity.Event, UserState> take(UserContext ctx, UserState s, XmlElement message);
    }

    /** A session sent initial presence: what the feature sends it, and the events to persist with the entity's own. */
    @FunctionalInterface
    public interface Available {
        void available(UserContext ctx, UserState s, LiveSession session, List<UserEntity.Event> events);
    }

    /** What each session gets as it binds: the feature's part of the session's state, as signals. */
    @FunctionalInterface
    public interface Seed {
        void seed(UserState s, List<ToClient.Signal> out);
    }

    /** Who must not see the user's presence. */
    @FunctionalInterface
    public interface HiddenFrom {
        Set<Jid> hiddenFrom(UserState s);
    }

    /** Collects what the features register. */
    public static final class Builder {
        private final List<UserSlice<?>> slices = new ArrayList<>();
        private final Set<Class<? extends UserEntity.Event>> events = new HashSet<>();
        private final List<Fold> folds = new ArrayList<>();
        private final Map<Class<?>, Handler<?>> handlers = new HashMap<>();
        private final List<Admission> admissions = new ArrayList<>();
        private final List<Undeliverable> undeliverables = new ArrayList<>();
        private final List<Available> availables = new ArrayList<>();
        private final List<Seed> seeds = new ArrayList<>();
        private final List<HiddenFrom> hidden = new ArrayList<>();

        private Builder() {
            Account.FEATURE.register(this);
            Availability.FEATURE.register(this);
        }

        /** A slice of the state this feature owns; its field names must not be taken. */
        public Builder slice(UserSlice<?> slice) {
            for (UserSlice<?> other : slices) {
                if (other.name().equals(slice.name()) || other.fields().stream().anyMatch(slice.fields()::contains)) {
                    throw new IllegalStateException(slice + " clashes with " + other);
                }
            }
            slices.add(slice);
            return this;
        }

        /** The events this feature stores, and how they change the state (every fold sees every event). */
        @SafeVarargs
        public final Builder events(Fold fold, Class<? extends UserEntity.Event>... types) {
            folds.add(fold);
            events.addAll(List.of(types));
            return this;
        }

        /** A fold for events other features store (an account's deletion clears every slice). */
        public Builder fold(Fold fold) {
            folds.add(fold);
            return this;
        }

        public <C extends UserEntity.Command> Builder command(Class<C> type, Handler<C> handler) {
            if (handlers.putIfAbsent(type, handler) != null) {
                throw new IllegalStateException("two handlers for " + type.getName());
            }
            return this;
        }

        public Builder admit(Admission hook) {
            admissions.add(hook);
            return this;
        }

        public Builder undeliverable(Undeliverable hook) {
            undeliverables.add(hook);
            return this;
        }

        public Builder available(Available hook) {
            availables.add(hook);
            return this;
        }

        public Builder seed(Seed hook) {
            seeds.add(hook);
            return this;
        }

        public Builder hiddenFrom(HiddenFrom hook) {
            hidden.add(hook);
            return this;
        }

        public UserFeatures build() {
            return new UserFeatures(this);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The account and presence features alone. */
    public static UserFeatures core() {
        return builder().build();
    }

    /** These features on top of the core ones. */
    public static UserFeatures of(Collection<UserFeature> features) {
        Builder b = builder();
        features.forEach(f -> f.register(b));
        return b.build();
    }

    private final List<UserSlice<?>> slices;
    private final Set<Class<? extends UserEntity.Event>> events;
    private final Fold[] folds;
    private final Map<Class<?>, Handler<?>> handlers;
    private final Admission[] admissions;
    private final Undeliverable[] undeliverables;
    private final Available[] availables;
    private final Seed[] seeds;
    private final HiddenFrom[] hidden;

    private UserFeatures(Builder b) {
        slices = List.copyOf(b.slices);
        events = Set.copyOf(b.events);
        folds = b.folds.toArray(Fold[]::new);
        handlers = Map.copyOf(b.handlers);
        admissions = b.admissions.toArray(Admission[]::new);
        undeliverables = b.undeliverables.toArray(Undeliverable[]::new);
        availables = b.availables.toArray(Available[]::new);
        seeds = b.seeds.toArray(Seed[]::new);
        hidden = b.hidden.toArray(HiddenFrom[]::new);
    }

    /** Every slice, for the snapshot reader. */
    public List<UserSlice<?>> slices() {
        return slices;
    }

    /** Every event class the features store. */
    public Set<Class<? extends UserEntity.Event>> events() {
        return events;
    }

    UserState apply(UserState s, UserEntity.Event event) {
        if (!events.contains(event.getClass())) {
            throw new IllegalArgumentException("no feature stores " + event.getClass().getName());
        }
        for (Fold f : folds) {
            s = f.apply(s, event);
        }
        return s;
    }

    @SuppressWarnings("unchecked")
    <C extends UserEntity.Command> Handler<C> handler(C command) {
        return (Handler<C>) handlers.get(command.getClass());
    }

    boolean admit(UserContext ctx, UserState s, XmlElement stanza, Jid from) {
        for (Admission a : admissions) {
            if (!a.admit(ctx, s, stanza, from)) {
                return false;
            }
        }
        return true;
    }

    /** The effect of the first feature that takes the message, or null when none does. */
    ReplyEffect<UserEntity.Event, UserState> undeliverable(UserContext ctx, UserState s, XmlElement message) {
        for (Undeliverable u : undeliverables) {
            ReplyEffect<UserEntity.Event, UserState> e = u.take(ctx, s, message);
            if (e != null) {
                return e;
            }
        }
        return null;
    }

    void available(UserContext ctx, UserState s, LiveSession session, List<UserEntity.Event> events) {
        for (Available a : availables) {
            a.available(ctx, s, session, events);
        }
    }

    /** What a session binding now gets ahead of its bind reply. */
    public List<ToClient.Signal> seeds(UserState s) {
        if (seeds.length == 0) {
            return List.of();
        }
        List<ToClient.Signal> out = new ArrayList<>(seeds.length);
        for (Seed seed : seeds) {
            seed.seed(s, out);
        }
        return out;
    }

    Set<Jid> hiddenFrom(UserState s) {
        if (hidden.length == 0) {
            return Set.of();
        }
        if (hidden.length == 1) {
            return hidden[0].hiddenFrom(s);
        }
        Set<Jid> all = new TreeSet<>();
        for (HiddenFrom h : hidden) {
            all.addAll(h.hiddenFrom(s));
        }
        return all;
    }
}
