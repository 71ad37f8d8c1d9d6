package io.parley.protocol.xml;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class XmlWriterTest {

    private static String write(XmlElement e, String scope) {
        return new XmlWriter(true).element(e, scope).toString();
    }

    @Test
    void contentNamespaceIsNotRepeatedOnStanzas() {
        XmlElement m = XmlElement.builder("message", Namespaces.CLIENT).attr("to", "a@b")
                .textElement("body", Namespaces.CLIENT, "hi")
                .child(XmlElement.of("active", "http://jabber.org/protocol/chatstates"))
                .build();
        assertThat(write(m, Namespaces.CLIENT)).isEqualTo(
                "<message to='a@b'><body>hi</body><active xmlns='http://jabber.org/protocol/chatstates'/></message>");
        assertThat(XmlWriter.toXml(m)).startsWith("<message xmlns='jabber:client' to='a@b'>");
    }

    @Test
    void escapesTextAndAttributes() {
        XmlElement e = XmlElement.builder("body", "").attr("a", "x'\"<&>\t\n\r").text("1 < 2 & 3 > ]]> \r\n").build();
        assertThat(write(e, "")).isEqualTo(
                "<body a='x&apos;&quot;&lt;&amp;&gt;&#x9;&#xA;&#xD;'>1 &lt; 2 &amp; 3 &gt; ]]&gt; &#xD;\n</body>");
    }

    @Test
    void encodesUtf8AndReplacesWhatXmlCannotCarry() {
        XmlElement e = XmlElement.builder("b", "").text("é€😀\u0001\uD800x\uFFFE").build();
        byte[] bytes = new XmlWriter(false).element(e, "").toByteArray();
        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("<b>é€😀\uFFFD\uFFFDx\uFFFD</b>");
    }

    @Test
    void streamNamespaceUsesThePrefixInsideAStream() {
        XmlElement features = XmlElement.builder("features", Namespaces.STREAMS)
                .child(XmlElement.of("starttls", Namespaces.TLS))
                .build();
        assertThat(write(features, Namespaces.CLIENT))
                .isEqualTo("<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>");
        assertThat(XmlWriter.toXml(features))
                .isEqualTo("<features xmlns='http://etherx.jabber.org/streams'><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></features>");
    }

    @Test
    void childrenOfAPrefixedElementKeepTheContentNamespaceInScope() {
        XmlElement error = XmlElement.builder("error", Namespaces.STREAMS)
                .child(XmlElement.of("conflict", Namespaces.STREAM_ERRORS))
                .build();
        assertThat(write(error, Namespaces.CLIENT))
                .isEqualTo("<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>");
    }

    @Test
    void namespacedAttributesGetPrefixes() {
        XmlElement e = XmlElement.builder("m", "ns").attr(Namespaces.XML, "lang", "en").attr("urn:x", "a", "1").build();
        assertThat(write(e, "ns")).isEqualTo("<m xml:lang='en' xmlns:a0='urn:x' a0:a='1'/>");
    }

    @Test
    void emptyNamespaceUnderADefaultIsUndeclared() {
        XmlElement e = XmlElement.builder("a", "ns").child(XmlElement.of("b", "")).build();
        assertThat(write(e, "")).isEqualTo("<a xmlns='ns'><b xmlns=''/></a>");
    }

    @Test
    void streamHeader() {
        XmlElement header = XmlElement.builder("stream", Namespaces.STREAMS)
                .attr("from", "example.com").attr("id", "abc").attr("version", "1.0").attr(Namespaces.XML, "lang", "en").build();
        XmlWriter w = new XmlWriter(true).streamOpen(header, Namespaces.CLIENT);
        assertThat(w.toString()).isEqualTo("<?xml version='1.0'?><stream:stream xmlns='jabber:client'"
                + " xmlns:stream='http://etherx.jabber.org/streams' from='example.com' id='abc' version='1.0' xml:lang='en'>");
        assertThat(w.takeByteString().size()).isGreaterThan(0);
        assertThat(w.size()).isZero();
        assertThat(w.streamClose().toString()).isEqualTo("</stream:stream>");
    }
}
