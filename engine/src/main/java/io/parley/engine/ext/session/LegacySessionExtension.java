package io.parley.engine.ext.session;

import io.parley.engine.ext.Extension;
import io.parley.engine.ext.ExtensionRegistry;
import io.parley.engine.ext.IqTarget;
import io.parley.protocol.stanza.Iq;
import io.parley.protocol.xml.Namespaces;
import java.util.List;

/**
 * RFC 3921 session establishment, kept for old clients: advertised as optional (RFC 6121
 * Appendix E) and answered with an empty result.
 */
public final class LegacySessionExtension implements Extension {

    @Override
    public String spec() {
        return "RFC 3921 session establishment (optional, RFC 6121 Appendix E)";
    }

    @Override
    public void register(ExtensionRegistry r) {
        r.iq(List.of(IqTarget.SERVER, IqTarget.OWN_ACCOUNT), Iq.Type.SET, Namespaces.SESSION, "session", req -> req.result());
    }
}
