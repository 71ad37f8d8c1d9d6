package io.parley.engine.ext.version;

import io.parley.engine.ext.Extension;
import io.parley.engine.ext.ExtensionRegistry;
import io.parley.engine.ext.IqTarget;
import io.parley.protocol.stanza.Iq;
import io.parley.protocol.xml.XmlElement;

/** XEP-0092: Software Version of the server. */
public final class VersionExtension implements Extension {

    public static final String NS = "jabber:iq:version";

    @Override
    public String spec() {
        return "XEP-0092: Software Version 1.1";
    }

    @Override
    public void register(ExtensionRegistry r) {
        r.serverFeature(NS);
        r.iq(IqTarget.SERVER, Iq.Type.GET, NS, "query", req -> {
            var info = req.services().settings().serverInfo();
            return req.result(XmlElement.builder("query", NS)
                    .textElement("name", NS, info.name())
                    .textElement("version", NS, info.version())
                    .textElement("os", NS, info.showOs() ? System.getProperty("os.name") + " " + System.getProperty("os.version") : null)
                    .build());
        });
    }
}
