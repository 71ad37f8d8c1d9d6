package io.parley.engine.session;

import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.type.WritableTypeId;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.parley.persistence.JournalSerializable;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A user's durable state: one record per feature ({@link UserSlice}), each changed only by the
 * events its feature folds. Immutable; a slice equal to its empty value is not kept, so states
 * compare equal whatever way they were reached.
 *
 * <p>Stored flat, as it was before the split: the snapshot is one object whose fields are the
 * slices' record components side by side ({@code credentials}, {@code created},
 * {@code nextOfflineSeq}, {@code offline}, {@code blocked}, ...). {@link Writer} and
 * {@link Reader} do that; the node's journal module registers them with the slices it knows, and a
 * slice missing from an older snapshot reads as its empty value.
 */
@JsonTypeName("user.state")
public final class UserState implements JournalSerializable {

    public static final UserState EMPTY = new UserState(Map.of());

    /** By slice name, sorted so that equal states print alike. */
    private final Map<String, Record> slices;

    private UserState(Map<String, Record> slices) {
        this.slices = slices;
    }

    /** This state's value of a slice (its empty value when it has none). */
    public <S extends Record> S get(UserSlice<S> slice) {
        Record v = slices.get(slice.name());
        return v == null ? slice.empty() : slice.type().cast(v);
    }

    /** The state with one slice replaced. */
    public <S extends Record> UserState with(UserSlice<S> slice, S value) {
        Record before = slices.get(slice.name());
        boolean empty = value == null || value.equals(slice.empty());
        if (empty ? before == null : value.equals(before)) {
            return this;
        }
        Map<String, Record> next = new TreeMap<>(slices);
        if (empty) {
            next.remove(slice.name());
        } else {
            next.put(slice.name(), value);
        }
        return next.isEmpty() ? EMPTY : new UserState(java.util.Collections.unmodifiableMap(next));
    }

    /** Whether the account exists (it has credentials). */
    public boolean exists() {
        return get(Account.SLICE).credentials() != null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UserState u && u.slices.equals(slices);
    }

    @Override
    public int hashCode() {
        return slices.hashCode();
    }

    @Override
    public String toString() {
        return "UserState" + slices.values();
    }

    /** Writes the slices' fields side by side in one object. */
    public static final class Writer extends StdSerializer<UserState> {

        public Writer() {
            super(UserState.class);
        }

        @Override
        public void serialize(UserState value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeStartObject(value);
            fields(value, gen, provider);
            gen.writeEndObject();
        }

        @Override
        public void serializeWithType(UserState value, JsonGenerator gen, SerializerProvider provider, TypeSerializer typeSer)
                throws IOException {
            WritableTypeId id = typeSer.writeTypePrefix(gen, typeSer.typeId(value, JsonToken.START_OBJECT));
            fields(value, gen, provider);
            typeSer.writeTypeSuffix(gen, id);
        }

        private static void fields(UserState value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            for (Record slice : value.slices.values()) {
                provider.findValueSerializer(slice.getClass()).unwrappingSerializer(com.fasterxml.jackson.databind.util.NameTransformer.NOP).serialize(slice, gen, provider);
            }
        }
    }

    /** Reads each known slice from the fields it owns; the others are left to their own slices. */
    public static final class Reader extends StdDeserializer<UserState> {

        private final List<UserSlice<?>> known;

        public Reader(List<UserSlice<?>> known) {
            super(UserState.class);
            this.known = List.copyOf(known);
        }

        @Override
        public UserState deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNode tree = ctxt.readTree(p);
            UserState s = EMPTY;
            for (UserSlice<?> slice : known) {
                s = read(s, slice, tree, p, ctxt);
            }
            return s;
        }

        private static <S extends Record> UserState read(UserState s, UserSlice<S> slice, JsonNode tree, JsonParser p,
                                                         DeserializationContext ctxt) throws IOException {
            ObjectNode own = ctxt.getNodeFactory().objectNode();
            boolean any = false;
            for (String f : slice.fields()) {
                JsonNode v = tree.get(f);
                if (v != null) {
                    own.set(f, v);
                    any = true;
                }
            }
            if (!any) {
                return s;
            }
            try (JsonParser sub = own.traverse(p.getCodec())) {
                sub.nextToken();
                return s.with(slice, ctxt.readValue(sub, slice.type()));
            }
        }
    }
}
