package io.parley.protocol.stream;

import static io.parley.protocol.stream.DecoderSupport.HEADER;
import static io.parley.protocol.stream.DecoderSupport.decode;
import static io.parley.protocol.stream.DecoderSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import io.parley.protocol.xml.XmlWriter;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Random well-formed stanza sequences: the serialiser and decoder are inverses, and how the
 * bytes are split never changes what is decoded.
 */
class StreamProperties {

    private static final List<String> NAMES = List.of("message", "presence", "iq", "body", "query", "x", "item", "é");
    private static final List<String> CHILD_NAMESPACES =
            List.of(Namespaces.CLIENT, "urn:xmpp:a", "http://jabber.org/protocol/b", "");
    private static final List<String> ATTRS = List.of("to", "from", "id", "type", "jid", "node", "ver");

    @Provide
    Arbitrary<String> text() {
        return Arbitraries.of("a", "Z", "0", " ", "\t", "\n", "\r", "\r\n", "<", ">", "&", "'", "\"", "é", "€", "😀",
                        "]]>", "ü", "\u4e2d", "&amp;", "\uFFFD")
                .list().ofMinSize(1).ofMaxSize(8).map(parts -> String.join("", parts));
    }

    Arbitrary<XmlElement> element(int depth, boolean topLevel) {
        Arbitrary<String> name = Arbitraries.of(NAMES);
        Arbitrary<String> ns = topLevel ? Arbitraries.just(Namespaces.CLIENT) : Arbitraries.of(CHILD_NAMESPACES);
        Arbitrary<List<String[]>> attrs = Combinators.combine(Arbitraries.of(ATTRS), text())
                .as((k, v) -> new String[] {k, v}).list().ofMaxSize(3);
        Arbitrary<String> lang = Arbitraries.of("", "", "en", "de-CH");
        Arbitrary<List<Object>> children = depth == 0
                ? text().map(t -> List.<Object>of(t)).injectDuplicates(0.0).list().ofMaxSize(1).map(l -> l.isEmpty() ? List.of() : l.get(0))
                : Arbitraries.oneOf(text().map(t -> (Object) t), element(depth - 1, false).map(e -> (Object) e))
                        .list().ofMaxSize(4);
        return Combinators.combine(name, ns, attrs, lang, children).as((n, namespace, as, l, cs) -> {
            XmlElement.Builder b = XmlElement.builder(n, namespace);
            Set<String> seen = new TreeSet<>();
            for (String[] a : as) {
                if (seen.add(a[0])) {
                    b.attr(a[0], a[1]);
                }
            }
            if (!l.isEmpty()) {
                b.attr(Namespaces.XML, "lang", l);
            }
            for (Object c : cs) {
                if (c instanceof String s) {
                    b.text(s);
                } else {
                    b.child((XmlElement) c);
                }
            }
            return b.build();
        });
    }

    @Provide
    Arbitrary<XmlElement> stanza() {
        return element(3, true);
    }

    @Provide
    Arbitrary<List<XmlElement>> stanzas() {
        return element(2, true).list().ofMinSize(1).ofMaxSize(6);
    }

    private static byte[] stream(List<XmlElement> stanzas) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(utf8(HEADER));
        XmlWriter w = new XmlWriter(true);
        for (XmlElement e : stanzas) {
            w.reset().element(e, Namespaces.CLIENT);
            out.writeBytes(w.toByteArray());
            out.writeBytes(utf8(" "));
        }
        return out.toByteArray();
    }

    private static List<StreamFrame> expected(List<XmlElement> stanzas, byte[] input) {
        List<StreamFrame> frames = new ArrayList<>();
        frames.add(decode(StreamLimits.DEFAULTS, utf8(HEADER)).get(0));
        stanzas.forEach(s -> frames.add(new StreamFrame.Element(s)));
        return frames;
    }

    @Property(tries = 500)
    void parseOfSerialiseIsIdentity(@ForAll("stanza") XmlElement stanza) {
        byte[] input = stream(List.of(stanza));
        List<StreamFrame> frames = decode(StreamLimits.DEFAULTS, input);
        assertThat(frames).hasSize(2);
        assertThat(((StreamFrame.Element) frames.get(1)).element()).isEqualTo(stanza);
    }

    @Property(tries = 200)
    void hibernatingBetweenChunksDoesNotChangeTheResult(@ForAll("stanzas") List<XmlElement> stanzas,
                                                        @ForAll @Size(max = 12) List<@net.jqwik.api.constraints.IntRange(min = 0, max = 100_000) Integer> cutSeeds) {
        byte[] input = stream(stanzas);
        int[] cuts = cutSeeds.stream().mapToInt(s -> s % input.length).sorted().distinct().filter(c -> c > 0).toArray();
        XmppStreamDecoder d = new XmppStreamDecoder(StreamLimits.DEFAULTS);
        List<StreamFrame> out = new ArrayList<>();
        int prev = 0;
        for (int cut : cuts) {
            d.feed(akka.util.ByteString.fromArray(input, prev, cut - prev), out);
            d.hibernate();
            prev = cut;
        }
        d.feed(akka.util.ByteString.fromArray(input, prev, input.length - prev), out);
        assertThat(out).isEqualTo(expected(stanzas, input));
    }

    @Property(tries = 300)
    void splitsDoNotChangeTheResult(@ForAll("stanzas") List<XmlElement> stanzas,
                                    @ForAll @Size(max = 12) List<@net.jqwik.api.constraints.IntRange(min = 0, max = 100_000) Integer> cutSeeds) {
        byte[] input = stream(stanzas);
        int[] cuts = cutSeeds.stream().mapToInt(s -> s % input.length).sorted().distinct().filter(c -> c > 0).toArray();
        assertThat(decode(StreamLimits.DEFAULTS, input, cuts)).isEqualTo(expected(stanzas, input));
    }
}
