package io.parley.engine.storage;

import akka.serialization.jackson.JacksonMigration;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The stored format's version, written into every event's and snapshot's manifest ({@code #1}),
 * and the steps that bring older versions up to date on read. Version 1 is the first format with
 * type names; data from before it (Java class names as manifests, the {@code jackson-cbor}
 * serializer) is read by that serializer as it was written (OlderEventFormatTest replays such a
 * store). To change a stored shape: raise {@link #currentVersion()} and add a step to
 * {@link #transform} that rewrites the older JSON tree, by its {@code @type}, into the new shape.
 */
public final class JournalMigration extends JacksonMigration {

    public static final int VERSION = 1;

    @Override
    public int currentVersion() {
        return VERSION;
    }

    @Override
    public JsonNode transform(int fromVersion, JsonNode json) {
        if (fromVersion > VERSION) {
            throw new IllegalStateException("stored format version " + fromVersion + " is newer than this build's " + VERSION);
        }
        return json;
    }
}
