package io.parley.protocol.xep.disco;

import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.Objects;

/**
 * XEP-0030: Service Discovery identity: category, type, optional name and {@code xml:lang}.
 */
public record DiscoIdentity(String category, String type, String name, String lang) {

    public DiscoIdentity {
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(type, "type");
    }

    public static DiscoIdentity of(String category, String type, String name) {
        return new DiscoIdentity(category, type, name, null);
    }

    public XmlElement toElement() {
        return XmlElement.builder("identity", Namespaces.DISCO_INFO)
                .attr("category", category)
                .attr("type", type)
                .attr("name", name)
                .attr(Namespaces.XML, "lang", lang)
                .build();
    }

    /** Reads an {@code <identity/>}; missing category or type read as "". */
    public static DiscoIdentity fromElement(XmlElement e) {
        return new DiscoIdentity(nz(e.attr("category")), nz(e.attr("type")), e.attr("name"), e.lang());
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
