package io.parley.engine.session;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The key of one feature's part of a user's durable state ({@link UserState}): its name, its
 * record type and its value before anything happened. A slice is a record; its components are
 * top-level fields of the user snapshot (so no two slices may share a field name), which keeps the
 * snapshot's shape the one it had before the state was split by feature.
 */
public final class UserSlice<S extends Record> {

    private final String name;
    private final Class<S> type;
    private final S empty;
    private final List<String> fields;

    private UserSlice(String name, Class<S> type, S empty) {
        this.name = name;
        this.type = type;
        this.empty = Objects.requireNonNull(empty);
        List<String> f = new ArrayList<>();
        for (RecordComponent c : type.getRecordComponents()) {
            f.add(c.getName());
        }
        this.fields = List.copyOf(f);
    }

    public static <S extends Record> UserSlice<S> of(String name, Class<S> type, S empty) {
        return new UserSlice<>(name, type, empty);
    }

    public String name() {
        return name;
    }

    public Class<S> type() {
        return type;
    }

    /** The slice's value in a state that has none of its own. */
    public S empty() {
        return empty;
    }

    /** The snapshot fields this slice writes: its record components' names. */
    public List<String> fields() {
        return fields;
    }

    @Override
    public String toString() {
        return "slice " + name;
    }
}
