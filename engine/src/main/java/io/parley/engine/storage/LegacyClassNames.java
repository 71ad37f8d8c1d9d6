package io.parley.engine.storage;

import akka.serialization.jackson.JacksonMigration;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * Events stored before type names (serializer {@code jackson-cbor}, the Java class name as the
 * manifest) whose class has moved since: the user entity's events went to the features that own
 * them. Bound in {@code parley/akka-node.conf} under each old name; it maps the name to the new
 * class and leaves the payload as it was (the shape did not change). Strings only, so storage
 * depends on no feature.
 */
public final class LegacyClassNames extends JacksonMigration {

    private static final String USER = "io.parley.engine.session.UserEntity$";

    /** Old class name (as manifests hold it) to the class it is now. */
    public static final Map<String, String> MOVED = Map.ofEntries(
            Map.entry(USER + "AccountCreated", "io.parley.engine.session.Account$AccountCreated"),
            Map.entry(USER + "PasswordChanged", "io.parley.engine.session.Account$PasswordChanged"),
            Map.entry(USER + "AccountDeleted", "io.parley.engine.session.Account$AccountDeleted"),
            Map.entry(USER + "LastSeen", "io.parley.engine.session.Availability$LastSeen"),
            Map.entry(USER + "ResourceOnline", "io.parley.engine.session.Availability$ResourceOnline"),
            Map.entry(USER + "ResourcesGone", "io.parley.engine.session.Availability$ResourcesGone"),
            Map.entry(USER + "OfflineStored", "io.parley.engine.ext.offline.OfflineFeature$OfflineStored"),
            Map.entry(USER + "OfflineRemoved", "io.parley.engine.ext.offline.OfflineFeature$OfflineRemoved"),
            Map.entry(USER + "JidsBlocked", "io.parley.engine.ext.blocking.BlockingFeature$JidsBlocked"),
            Map.entry(USER + "JidsUnblocked", "io.parley.engine.ext.blocking.BlockingFeature$JidsUnblocked"),
            Map.entry(USER + "AvatarHashChanged", "io.parley.engine.ext.vcard.AvatarFeature$AvatarHashChanged"));

    /** Above the version such data has (1: no version in the manifest), so the class name is always mapped. */
    @Override
    public int currentVersion() {
        return 2;
    }

    @Override
    public String transformClassName(int fromVersion, String className) {
        return MOVED.getOrDefault(className, className);
    }

    @Override
    public JsonNode transform(int fromVersion, JsonNode json) {
        return json;
    }
}
