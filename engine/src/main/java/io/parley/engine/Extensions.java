package io.parley.engine;

import io.parley.engine.config.ParleySettings;
import io.parley.engine.ext.Extension;
import io.parley.engine.ext.ExtensionRegistry;
import io.parley.engine.ext.blocking.BlockingExtension;
import io.parley.engine.ext.disco.DiscoExtension;
import io.parley.engine.ext.last.LastActivityExtension;
import io.parley.engine.ext.offline.OfflineExtension;
import io.parley.engine.ext.ping.PingExtension;
import io.parley.engine.ext.privatexml.PrivateXmlExtension;
import io.parley.engine.ext.register.RegistrationExtension;
import io.parley.engine.ext.roster.RosterExtension;
import io.parley.engine.ext.session.LegacySessionExtension;
import io.parley.engine.ext.time.TimeExtension;
import io.parley.engine.ext.vcard.VCardExtension;
import io.parley.engine.ext.version.VersionExtension;
import io.parley.engine.muc.MucExtension;
import java.util.List;

/**
 * The extensions a node runs: one line per extension, each a package of its own; disco last,
 * since caps hash the others. Each node gets new instances (an extension may hold its node's
 * actors once started).
 */
public final class Extensions {

    private Extensions() {
    }

    public static List<Extension> standard() {
        return List.of(
                new LegacySessionExtension(),
                new RosterExtension(),
                new RegistrationExtension(),
                new VersionExtension(),
                new TimeExtension(),
                new PingExtension(),
                new LastActivityExtension(),
                new VCardExtension(),
                new PrivateXmlExtension(),
                new BlockingExtension(),
                new OfflineExtension(),
                new MucExtension(),
                new DiscoExtension());
    }

    /** The registry of a node with these settings: every standard extension registered, then frozen. */
    public static ExtensionRegistry registry(ParleySettings settings) {
        ExtensionRegistry r = new ExtensionRegistry(settings);
        standard().forEach(r::add);
        return r.freeze();
    }
}
