package io.parley.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonTypeName;
import com.typesafe.config.ConfigFactory;
import io.parley.engine.config.ConfigLoader;
import io.parley.engine.config.ParleySettings;
import io.parley.engine.roster.RosterEntity;
import io.parley.engine.session.UserFeatures;
import io.parley.engine.storage.JournalMigration;
import io.parley.engine.storage.LegacyClassNames;
import io.parley.engine.storage.UserDataEntity;
import io.parley.persistence.JournalSerializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every stored type has an explicit, unique type name and is registered, so no store depends on a class name. */
class JournalTypesTest {

    /** The user features a node runs, as its extensions registered them. */
    private static UserFeatures nodeFeatures() {
        ParleySettings settings = ParleySettings.from(ConfigLoader.load(ConfigFactory.empty()));
        return UserFeatures.of(Extensions.registry(settings).userFeatures());
    }

    @Test
    void everyEventAndStateIsNamedAndRegistered() {
        List<Class<?>> stored = new ArrayList<>();
        for (Class<?> events : List.of(RosterEntity.Event.class, UserDataEntity.Event.class,
                io.parley.engine.muc.RoomEntity.Event.class, io.parley.engine.muc.MucDirectory.Event.class)) {
            stored.addAll(Arrays.asList(events.getPermittedSubclasses()));
        }
        // the user entity's events are its features' own: those the node's features register
        stored.addAll(nodeFeatures().events());
        stored.addAll(List.of(io.parley.engine.session.UserState.class, io.parley.engine.roster.RosterState.class,
                UserDataEntity.State.class, io.parley.engine.muc.RoomState.class,
                io.parley.engine.muc.MucDirectory.State.class));
        assertThat(JournalTypes.types()).containsExactlyInAnyOrderElementsOf(stored);
        HashSet<String> names = new HashSet<>();
        for (Class<?> c : stored) {
            assertThat(JournalSerializable.class).isAssignableFrom(c);
            JsonTypeName name = c.getAnnotation(JsonTypeName.class);
            assertThat(name).as("@JsonTypeName on %s", c.getName()).isNotNull();
            assertThat(names.add(name.value())).as("unique type name %s", name.value()).isTrue();
        }
    }

    @Test
    void theSnapshotReaderKnowsEverySliceTheFeaturesKeep() {
        assertThat(JournalTypes.slices()).containsExactlyInAnyOrderElementsOf(nodeFeatures().slices());
    }

    @Test
    void everyMovedClassNameLeadsToAClassThatIsStored() throws Exception {
        for (String moved : LegacyClassNames.MOVED.values()) {
            assertThat(JournalTypes.types()).contains(Class.forName(moved));
        }
    }

    @Test
    void aFormatNewerThanThisBuildIsRefusedNotMisread() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new JournalMigration().transform(JournalMigration.VERSION + 1, null))
                .hasMessageContaining("newer");
    }
}
