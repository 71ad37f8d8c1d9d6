package io.parley.engine;

import io.parley.engine.config.ParleySettings;
import io.parley.engine.ext.ExtensionRegistry;
import io.parley.engine.ext.blocking.BlockingExtension;
import io.parley.engine.ext.disco.DiscoExtension;
import io.parley.engine.ext.last.LastActivityExtension;
import io.parley.engine.ext.offline.OfflineExtension;
import io.parley.engine.ext.ping.PingExtension;
import io.parley.engine.ext.privatexml.PrivateXmlExtension;
import io.parley.engine.ext.register.RegistrationExtension;
import io.parley.engine.ext.register.RegistrationLimiter;
import io.parley.engine.ext.roster.RosterExtension;
import io.parley.engine.ext.session.LegacySessionExtension;
import io.parley.engine.ext.time.TimeExtension;
import io.parley.engine.ext.vcard.VCardExtension;
import io.parley.engine.ext.version.VersionExtension;

/** The extensions a node serves: one line per extension; disco last, since caps hash the others. */
public final class Extensions {

    private Extensions() {
    }

    public static ExtensionRegistry standard(ParleySettings settings) {
        return new ExtensionRegistry()
                .add(new LegacySessionExtension())
                .add(new RosterExtension())
                .add(new RegistrationExtension(settings.registration().enabled(),
                        new RegistrationLimiter(settings.registration().perAddressPerHour(), java.time.Clock.systemUTC())))
                .add(new VersionExtension())
                .add(new TimeExtension())
                .add(new PingExtension())
                .add(new LastActivityExtension())
                .add(new VCardExtension())
                .add(new PrivateXmlExtension())
                .add(new BlockingExtension())
                .add(new OfflineExtension())
                .add(new DiscoExtension(settings.muc().enabled()
                        ? java.util.List.of(settings.muc().subdomain() + "." + settings.domain().domain()) : java.util.List.of()))
                .freeze();
    }
}
