package io.parley.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonTypeName;
import io.parley.engine.roster.RosterEntity;
import io.parley.engine.session.UserEntity;
import io.parley.engine.storage.JournalMigration;
import io.parley.engine.storage.UserDataEntity;
import io.parley.persistence.JournalSerializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every stored type has an explicit, unique type name and is registered, so no store depends on a class name. */
class JournalTypesTest {

    @Test
    void everyEventAndStateIsNamedAndRegistered() {
        List<Class<?>> stored = new ArrayList<>();
        for (Class<?> events : List.of(UserEntity.Event.class, RosterEntity.Event.class, UserDataEntity.Event.class,
                io.parley.engine.muc.RoomEntity.Event.class, io.parley.engine.muc.MucDirectory.Event.class)) {
            stored.addAll(Arrays.asList(events.getPermittedSubclasses()));
        }
        stored.addAll(List.of(io.parley.engine.session.UserState.class, io.parley.engine.roster.RosterState.class,
                UserDataEntity.State.class, io.parley.engine.muc.RoomState.class,
                io.parley.engine.muc.MucDirectory.State.class));
        assertThat(Arrays.asList(JournalTypes.TYPES)).containsExactlyInAnyOrderElementsOf(stored);
        HashSet<String> names = new HashSet<>();
        for (Class<?> c : stored) {
            assertThat(JournalSerializable.class).isAssignableFrom(c);
            JsonTypeName name = c.getAnnotation(JsonTypeName.class);
            assertThat(name).as("@JsonTypeName on %s", c.getName()).isNotNull();
            assertThat(names.add(name.value())).as("unique type name %s", name.value()).isTrue();
        }
    }

    @Test
    void aFormatNewerThanThisBuildIsRefusedNotMisread() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new JournalMigration().transform(JournalMigration.VERSION + 1, null))
                .hasMessageContaining("newer");
    }
}
