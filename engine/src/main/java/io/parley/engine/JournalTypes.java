package io.parley.engine;

import com.fasterxml.jackson.databind.module.SimpleModule;
import io.parley.engine.ext.Extension;
import io.parley.engine.roster.RosterEntity;
import io.parley.engine.roster.RosterState;
import io.parley.engine.session.UserFeatures;
import io.parley.engine.session.UserSlice;
import io.parley.engine.session.UserState;
import io.parley.engine.storage.UserDataEntity;
import java.util.ArrayList;
import java.util.List;

/**
 * Every type the store holds, by its {@code @JsonTypeName}, so that a stored value read as a
 * {@code JournalSerializable} finds its class: the core entities' events and states, and what
 * each standard extension declares ({@link Extension#storedTypes}). It also registers the user
 * state's flat (de)serializer with every slice: the core's and the extensions'
 * ({@link Extension#userSlices}). Registered through {@code akka.serialization.jackson.jackson-modules};
 * JournalTypesTest checks that every stored class is here.
 */
public final class JournalTypes extends SimpleModule {

    /** The core's stored types: users (account and presence), rosters, per-user documents. */
    static final List<Class<?>> CORE = List.of(
            UserState.class,
            RosterEntity.ItemChanged.class, RosterEntity.ItemRemoved.class, RosterEntity.RosterCleared.class,
            RosterState.class,
            UserDataEntity.DocumentStored.class, UserDataEntity.DocumentRemoved.class, UserDataEntity.Cleared.class,
            UserDataEntity.State.class);

    /** Every stored type: the core's, the user core's events, each standard extension's. */
    static List<Class<?>> types() {
        List<Class<?>> all = new ArrayList<>(CORE);
        all.addAll(UserFeatures.core().events());
        for (Extension e : Extensions.standard()) {
            all.addAll(e.storedTypes());
        }
        return all;
    }

    /** Every user state slice: the core's and each standard extension's. */
    static List<UserSlice<?>> slices() {
        List<UserSlice<?>> all = new ArrayList<>(UserFeatures.core().slices());
        for (Extension e : Extensions.standard()) {
            all.addAll(e.userSlices());
        }
        return all;
    }

    public JournalTypes() {
        super("parley-journal-types");
        registerSubtypes(types().toArray(Class<?>[]::new));
        addSerializer(UserState.class, new UserState.Writer());
        addDeserializer(UserState.class, new UserState.Reader(slices()));
    }
}
