package io.parley.engine.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds a node's configuration, highest precedence first: system properties, the operator's
 * file, the store profile ({@code parley/store-<store>.conf}), the node profile
 * ({@code parley/akka-node.conf}), then every library's reference.conf (Parley's documents all
 * its keys).
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    /** Loads with an operator's file, which must exist. */
    public static Config load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException.Generic("config file " + file + " does not exist");
        }
        return load(ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false)));
    }

    /** Loads with the given overrides standing for the operator's file. */
    public static Config load(Config operator) {
        Config unresolved = ConfigFactory.systemProperties()
                .withFallback(operator)
                .withFallback(ConfigFactory.defaultReference());
        String store = unresolved.getString("parley.store");
        if (!ParleySettings.STORES.contains(store)) {
            throw new ConfigException.BadValue("parley.store", "unknown store '" + store + "' (known: "
                    + String.join(", ", ParleySettings.STORES) + ")");
        }
        Config layered = ConfigFactory.systemProperties()
                .withFallback(operator)
                .withFallback(ConfigFactory.parseResources("parley/store-" + store + ".conf",
                        ConfigParseOptions.defaults().setAllowMissing(false)))
                .withFallback(ConfigFactory.parseResources("parley/akka-node.conf",
                        ConfigParseOptions.defaults().setAllowMissing(false)))
                .withFallback(ConfigFactory.defaultReference());
        return layered.resolve();
    }
}
