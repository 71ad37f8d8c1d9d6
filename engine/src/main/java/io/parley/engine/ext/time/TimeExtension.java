package io.parley.engine.ext.time;

import io.parley.engine.ext.Extension;
import io.parley.engine.ext.ExtensionRegistry;
import io.parley.engine.ext.IqTarget;
import io.parley.protocol.stanza.Iq;
import io.parley.protocol.xml.XmlElement;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** XEP-0202: Entity Time of the server. */
public final class TimeExtension implements Extension {

    public static final String NS = "urn:xmpp:time";

    @Override
    public String spec() {
        return "XEP-0202: Entity Time 2.0";
    }

    @Override
    public void register(ExtensionRegistry r) {
        r.serverFeature(NS);
        r.iq(IqTarget.SERVER, Iq.Type.GET, NS, "time", req -> {
            ZonedDateTime now = ZonedDateTime.now(req.services().clock().withZone(ZoneId.systemDefault()));
            String tzo = now.getOffset().getId().equals("Z") ? "+00:00" : now.getOffset().getId();
            return req.result(XmlElement.builder("time", NS)
                    .textElement("tzo", NS, tzo)
                    .textElement("utc", NS, DateTimeFormatter.ISO_INSTANT.format(now.toInstant().truncatedTo(ChronoUnit.MILLIS)))
                    .build());
        });
    }
}
