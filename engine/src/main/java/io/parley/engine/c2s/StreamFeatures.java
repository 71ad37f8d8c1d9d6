package io.parley.engine.c2s;

import io.parley.engine.ext.ExtensionRegistry;
import io.parley.protocol.sasl.SaslMechanism;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;

/** The {@code <stream:features/>} a client sees at each stage of negotiation (RFC 6120 4.3.2). */
final class StreamFeatures {

    private static final SaslMechanism[] SCRAM = {SaslMechanism.SCRAM_SHA_512, SaslMechanism.SCRAM_SHA_256, SaslMechanism.SCRAM_SHA_1};

    private StreamFeatures() {
    }

    /** Before authentication: STARTTLS while the stream is plain; SASL once it is allowed. */
    static XmlElement beforeAuth(boolean secure, boolean requireTls, boolean registration, ExtensionRegistry registry) {
        XmlElement.Builder f = XmlElement.builder("features", Namespaces.STREAMS);
        if (!secure) {
            XmlElement.Builder tls = XmlElement.builder("starttls", Namespaces.TLS);
            if (requireTls) {
                tls.child(XmlElement.of("required", Namespaces.TLS));
            }
            f.child(tls.build());
            if (requireTls) {
                return f.build(); // TLS is the only thing to negotiate (RFC 6120 5.3.1)
            }
        }
        XmlElement.Builder mechs = XmlElement.builder("mechanisms", Namespaces.SASL);
        for (SaslMechanism m : SCRAM) {
            mechs.textElement("mechanism", Namespaces.SASL, m.mechanismName());
        }
        if (secure) {
            mechs.textElement("mechanism", Namespaces.SASL, SaslMechanism.PLAIN.mechanismName());
        }
        f.child(mechs.build());
        if (registration) {
            f.child(XmlElement.of("register", "http://jabber.org/features/iq-register"));
        }
        registry.streamFeatures(true).forEach(f::child);
        return f.build();
    }

    /** After authentication: resource binding, the optional legacy session, and what extensions add. */
    static XmlElement afterAuth(ExtensionRegistry registry) {
        XmlElement.Builder f = XmlElement.builder("features", Namespaces.STREAMS)
                .child(XmlElement.of("bind", Namespaces.BIND))
                .child(XmlElement.builder("session", Namespaces.SESSION).child(XmlElement.of("optional", Namespaces.SESSION)).build());
        registry.streamFeatures(false).forEach(f::child);
        return f.build();
    }

    /** True when a mechanism may be used on this stream (PLAIN only under TLS). */
    static boolean offered(SaslMechanism m, boolean secure) {
        return m != null && (m != SaslMechanism.PLAIN || secure);
    }
}
