package io.parley.engine.ext.ping;

import io.parley.engine.ext.Extension;
import io.parley.engine.ext.ExtensionRegistry;
import io.parley.engine.ext.IqTarget;
import io.parley.protocol.stanza.Iq;
import io.parley.protocol.xml.Namespaces;
import java.util.List;

/** XEP-0199: XMPP Ping, answered by the server (it also pings idle clients: see the connection). */
public final class PingExtension implements Extension {

    @Override
    public String spec() {
        return "XEP-0199: XMPP Ping 2.0.1";
    }

    @Override
    public void register(ExtensionRegistry r) {
        r.serverFeature(Namespaces.PING);
        r.iq(List.of(IqTarget.SERVER, IqTarget.OWN_ACCOUNT), Iq.Type.GET, Namespaces.PING, "ping", req -> req.result());
    }
}
