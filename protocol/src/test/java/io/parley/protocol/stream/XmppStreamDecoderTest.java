package io.parley.protocol.stream;

import static io.parley.protocol.stream.DecoderSupport.HEADER;
import static io.parley.protocol.stream.DecoderSupport.decode;
import static io.parley.protocol.stream.DecoderSupport.lastFault;
import static io.parley.protocol.stream.DecoderSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import akka.util.ByteString;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import io.parley.protocol.xml.XmlReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class XmppStreamDecoderTest {

    private static final String STANZAS =
            "<message to='romeo@example.net' type='chat' xml:lang='en'><body>Wherefore art thou, Romeo? é€😀 &amp; &lt;"
            + " &#x41;<![CDATA[<raw>]]></body><active xmlns='http://jabber.org/protocol/chatstates'/></message>\n"
            + "<presence><show>away</show><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver='ü'/></presence>"
            + " \t\r\n"
            + "<iq type='get' id='r1'><query xmlns='jabber:iq:roster'/></iq>";

    @Test
    void emitsOpenEachTopLevelElementAndClose() {
        List<StreamFrame> frames = decode(HEADER + STANZAS + "</stream:stream>");
        assertThat(frames).hasSize(5);
        StreamFrame.Open open = (StreamFrame.Open) frames.get(0);
        assertThat(open.contentNamespace()).isEqualTo(Namespaces.CLIENT);
        assertThat(open.attr("to")).isEqualTo("example.com");
        assertThat(open.attr("version")).isEqualTo("1.0");
        XmlElement message = ((StreamFrame.Element) frames.get(1)).element();
        assertThat(message.namespace()).isEqualTo(Namespaces.CLIENT);
        assertThat(message.lang()).isEqualTo("en");
        assertThat(message.elementText("body", Namespaces.CLIENT)).isEqualTo("Wherefore art thou, Romeo? é€😀 & < A<raw>");
        assertThat(message.element("active", "http://jabber.org/protocol/chatstates")).isNotNull();
        XmlElement presence = ((StreamFrame.Element) frames.get(2)).element();
        assertThat(presence.element("c", Namespaces.CAPS).attr("ver")).isEqualTo("ü");
        XmlElement iq = ((StreamFrame.Element) frames.get(3)).element();
        assertThat(iq.element("query", "jabber:iq:roster")).isNotNull();
        assertThat(frames.get(4)).isEqualTo(StreamFrame.Close.INSTANCE);
    }

    @Test
    void parsedElementsEqualTheSameXmlReadByWoodstox() {
        List<StreamFrame> frames = decode(HEADER + STANZAS);
        List<XmlElement> expected = XmlReader.parseFragments(
                "<x xmlns='jabber:client'>" + STANZAS + "</x>").get(0).elements();
        assertThat(frames.subList(1, frames.size()))
                .containsExactlyElementsOf(expected.stream().map(e -> (StreamFrame) new StreamFrame.Element(e)).toList());
    }

    @Test
    void everySplitPointGivesTheSameFrames() {
        byte[] input = utf8(HEADER + STANZAS + "</stream:stream>");
        List<StreamFrame> whole = decode(StreamLimits.DEFAULTS, input);
        for (int i = 1; i < input.length; i++) {
            assertThat(decode(StreamLimits.DEFAULTS, input, i)).as("split at %d", i).isEqualTo(whole);
        }
        for (int i = 1; i + 1 < input.length; i += 7) {
            assertThat(decode(StreamLimits.DEFAULTS, input, i, i + 1)).as("splits at %d,%d", i, i + 1).isEqualTo(whole);
        }
    }

    @Test
    void byteByByteGivesTheSameFrames() {
        byte[] input = utf8(HEADER + STANZAS + "</stream:stream>");
        XmppStreamDecoder d = new XmppStreamDecoder();
        List<StreamFrame> out = new ArrayList<>();
        for (byte b : input) {
            d.feed(ByteString.fromArray(new byte[] {b}), out);
        }
        assertThat(out).isEqualTo(decode(StreamLimits.DEFAULTS, input));
    }

    /** Aalto drops a four-byte character of an attribute value split between feeds; the decoder must not let that happen. */
    @Test
    void fourByteCharactersInAttributesSurviveEverySplit() {
        byte[] input = utf8(HEADER + "<message to='😀' id='x😀y'><body a='\t&lt;😀'>😀</body></message>");
        List<StreamFrame> whole = decode(StreamLimits.DEFAULTS, input);
        assertThat(((StreamFrame.Element) whole.get(1)).element().attr("to")).isEqualTo("😀");
        for (int i = 1; i < input.length; i++) {
            assertThat(decode(StreamLimits.DEFAULTS, input, i)).as("split at %d", i).isEqualTo(whole);
        }
    }

    @Test
    void completeUtf8Prefix() {
        byte[] b = utf8("a😀é€");
        assertThat(XmppStreamDecoder.completeUtf8Prefix(b, b.length)).isEqualTo(b.length);
        for (int n = 2; n < 5; n++) {
            assertThat(XmppStreamDecoder.completeUtf8Prefix(b, n)).isEqualTo(1);
        }
        assertThat(XmppStreamDecoder.completeUtf8Prefix(b, 5)).isEqualTo(5);
        assertThat(XmppStreamDecoder.completeUtf8Prefix(b, 6)).isEqualTo(5);
        assertThat(XmppStreamDecoder.completeUtf8Prefix(b, 8)).isEqualTo(7);
        assertThat(XmppStreamDecoder.completeUtf8Prefix(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80}, 4)).isEqualTo(4);
    }

    @Test
    void whitespaceKeepalivesProduceNothing() {
        assertThat(decode(HEADER + " \n \t ")).hasSize(1);
    }

    @Test
    void textBetweenStanzasIsBadFormat() {
        assertThat(lastFault(decode(HEADER + "<presence/>hello")).condition()).isEqualTo(StreamErrorCondition.BAD_FORMAT);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        // billion laughs: must be refused before any entity is declared, let alone expanded
        "<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'><!ENTITY lol2 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>"
            + "<!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'>]><stream:stream xmlns='jabber:client'"
            + " xmlns:stream='http://etherx.jabber.org/streams'>&lol3;",
        "<!DOCTYPE stream:stream><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>",
        "<?xml version='1.0'?><!DOCTYPE s SYSTEM 'http://example.com/evil.dtd'><stream:stream>",
        "<!-- hello --><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>",
        "HEADER<!-- between stanzas --><presence/>",
        "HEADER<message><!-- inside --></message>",
        "HEADER<?php echo 1 ?>",
        "HEADER<message><body><?pi x?></body></message>",
        "HEADER<message><body>&foo;</body></message>",
        "HEADER<message to='&foo;'/>",
    })
    void restrictedXmlIsRefused(String input) {
        List<StreamFrame> frames = decode(input.replace("HEADER", HEADER));
        assertThat(lastFault(frames).condition()).isEqualTo(StreamErrorCondition.RESTRICTED_XML);
        assertThat(frames).noneMatch(f -> f instanceof StreamFrame.Element);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "<message></msg>",
        "<message to='a' to='b'/>",
        "<a><b></a></b></a><presence/>",
        "<message><body>&#0;</body></message>",
        "<message><body>a & b</body></message>",
        "<message to='<'/>",
        "</presence>",
        "<message \u0001/>",
    })
    void malformedXmlIsNotWellFormed(String stanza) {
        assertThat(lastFault(decode(HEADER + stanza)).condition()).isEqualTo(StreamErrorCondition.NOT_WELL_FORMED);
    }

    @Test
    void invalidUtf8IsNotWellFormed() {
        byte[] head = utf8(HEADER + "<message><body>");
        byte[] bad = {(byte) 0xC3, (byte) 0x28};
        byte[] tail = utf8("</body></message>");
        byte[] all = new byte[head.length + bad.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(bad, 0, all, head.length, bad.length);
        System.arraycopy(tail, 0, all, head.length + bad.length, tail.length);
        assertThat(lastFault(decode(StreamLimits.DEFAULTS, all)).condition()).isEqualTo(StreamErrorCondition.NOT_WELL_FORMED);
    }

    @Test
    void unboundPrefixIsBadNamespacePrefix() {
        assertThat(lastFault(decode(HEADER + "<foo:message/>")).condition())
                .isEqualTo(StreamErrorCondition.BAD_NAMESPACE_PREFIX);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "<stream:stream xmlns:stream='urn:wrong'>|INVALID_NAMESPACE",
        "<stream xmlns='jabber:client'>|INVALID_NAMESPACE",
        "<stream:features xmlns:stream='http://etherx.jabber.org/streams'>|INVALID_NAMESPACE",
        "<?xml version='1.0' encoding='ISO-8859-1'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams'>|UNSUPPORTED_ENCODING",
        "<?xml version='1.1'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams'>|BAD_FORMAT",
    })
    void badStreamHeaders(String header, StreamErrorCondition condition) {
        assertThat(lastFault(decode(header)).condition()).isEqualTo(condition);
    }

    @Test
    void utf8EncodingDeclarationAndNoDeclarationAreFine() {
        assertThat(decode("<?xml version='1.0' encoding='UTF-8'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams'>"))
                .singleElement().isInstanceOf(StreamFrame.Open.class);
        assertThat(decode("<stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:server'>"))
                .singleElement().isEqualTo(new StreamFrame.Open(((StreamFrame.Open) decode(
                        "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:server'>").get(0)).header(),
                        Namespaces.SERVER));
    }

    @Test
    void stanzaSizeLimitIsExact() {
        String stanza = "<message><body>" + "x".repeat(2000) + "</body></message>";
        int size = utf8(stanza).length;
        byte[] input = utf8(HEADER + stanza + "<presence/>");
        List<StreamFrame> fits = decode(new StreamLimits(size, 8), input);
        assertThat(fits).hasSize(3).noneMatch(f -> f instanceof StreamFrame.Fault);
        List<StreamFrame> tooBig = decode(new StreamLimits(size - 1, 8), input);
        assertThat(lastFault(tooBig).condition()).isEqualTo(StreamErrorCondition.POLICY_VIOLATION);
        assertThat(tooBig).hasSize(2);
        // the same, whatever the split
        for (int cut = HEADER.length(); cut < input.length; cut += 97) {
            assertThat(decode(new StreamLimits(size, 8), input, cut)).isEqualTo(fits);
            assertThat(decode(new StreamLimits(size - 1, 8), input, cut)).isEqualTo(tooBig);
        }
    }

    @Test
    void endlessInputIsCutOffWithBoundedMemory() {
        int limit = 64 * 1024;
        XmppStreamDecoder d = new XmppStreamDecoder(new StreamLimits(limit, 8));
        List<StreamFrame> out = new ArrayList<>();
        d.feed(ByteString.fromString(HEADER + "<message><body>"), out);
        ByteString chunk = ByteString.fromString("x".repeat(8192));
        int chunksFed = 0;
        while (!d.isDone() && chunksFed < 10_000) {
            d.feed(chunk, out);
            chunksFed++;
        }
        assertThat(lastFault(out).condition()).isEqualTo(StreamErrorCondition.POLICY_VIOLATION);
        assertThat(chunksFed * 8192L).isLessThanOrEqualTo(limit + 8192L + XmppStreamDecoder.SLICE);
        // and an endless start tag
        XmppStreamDecoder d2 = new XmppStreamDecoder(new StreamLimits(limit, 8));
        out.clear();
        d2.feed(ByteString.fromString(HEADER + "<message to='"), out);
        chunksFed = 0;
        while (!d2.isDone() && chunksFed < 10_000) {
            d2.feed(chunk, out);
            chunksFed++;
        }
        assertThat(lastFault(out).condition()).isEqualTo(StreamErrorCondition.POLICY_VIOLATION);
        assertThat(chunksFed * 8192L).isLessThanOrEqualTo(limit + 8192L + XmppStreamDecoder.SLICE);
    }

    @Test
    void anEndlessStreamHeaderIsCutOffToo() {
        XmppStreamDecoder d = new XmppStreamDecoder(new StreamLimits(4096, 8));
        List<StreamFrame> out = new ArrayList<>();
        d.feed(ByteString.fromString("<stream:stream xmlns:stream='http://etherx.jabber.org/streams' a='"
                + "y".repeat(10_000)), out);
        assertThat(lastFault(out).condition()).isEqualTo(StreamErrorCondition.POLICY_VIOLATION);
    }

    @Test
    void nestingDepthIsLimited() {
        String fourDeep = "<a><b><c><d/></c></b></a>";
        String fiveDeep = "<a><b><c><d><e/></d></c></b></a>";
        assertThat(decode(new StreamLimits(4096, 4), utf8(HEADER + fourDeep))).hasSize(2)
                .last().isInstanceOf(StreamFrame.Element.class);
        assertThat(lastFault(decode(new StreamLimits(4096, 4), utf8(HEADER + fiveDeep))).condition())
                .isEqualTo(StreamErrorCondition.POLICY_VIOLATION);
        String deep = "<a>".repeat(100_000);
        assertThat(lastFault(decode(HEADER + deep)).condition()).isEqualTo(StreamErrorCondition.POLICY_VIOLATION);
    }

    @Test
    void inputAfterAFaultOrCloseIsIgnored() {
        XmppStreamDecoder d = new XmppStreamDecoder();
        List<StreamFrame> out = new ArrayList<>();
        d.feed(ByteString.fromString(HEADER + "<a></b>"), out);
        d.feed(ByteString.fromString("<presence/>"), out);
        assertThat(out).hasSize(2);
        assertThat(d.isDone()).isTrue();
        out.clear();
        XmppStreamDecoder d2 = new XmppStreamDecoder();
        d2.feed(ByteString.fromString(HEADER + "</stream:stream><presence/>garbage<"), out);
        assertThat(out).hasSize(2).last().isEqualTo(StreamFrame.Close.INSTANCE);
    }

    @Test
    void resetStartsAFreshStreamWithItsOwnXmlDeclaration() {
        XmppStreamDecoder d = new XmppStreamDecoder();
        List<StreamFrame> out = new ArrayList<>();
        d.feed(ByteString.fromString(HEADER + "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGEAYg==</auth>"), out);
        assertThat(out).hasSize(2);
        d.reset();
        out.clear();
        d.feed(ByteString.fromString(HEADER + "<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>"), out);
        assertThat(out).hasSize(2);
        assertThat(out.get(0)).isInstanceOf(StreamFrame.Open.class);
        assertThat(((StreamFrame.Element) out.get(1)).element().name()).isEqualTo("iq");
    }

    @Test
    void withoutResetASecondHeaderIsAFault() {
        XmppStreamDecoder d = new XmppStreamDecoder();
        List<StreamFrame> out = new ArrayList<>();
        d.feed(ByteString.fromString(HEADER + "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>" + HEADER), out);
        assertThat(lastFault(out).condition()).isNotNull();
    }

    // ---- hibernation -----------------------------------------------------------------------------

    /** Feeds each piece, hibernating after every one (a no-op where it cannot), and counts the sleeps. */
    private static List<StreamFrame> decodeHibernating(XmppStreamDecoder d, int[] sleeps, String... pieces) {
        List<StreamFrame> out = new ArrayList<>();
        for (String p : pieces) {
            d.feed(ByteString.fromString(p), out);
            if (d.canHibernate()) {
                sleeps[0]++;
            }
            d.hibernate();
        }
        return out;
    }

    @Test
    void aHibernatedDecoderWakesWithTheSameResult() {
        String[] pieces = {HEADER, "<message to='a@b' type='chat'><body>one é😀</body></message>", " \n",
            "<presence/>", "<iq type='get' id='1'><query xmlns='jabber:iq:roster'/></iq> ", "</stream:stream>"};
        int[] sleeps = {0};
        List<StreamFrame> got = decodeHibernating(new XmppStreamDecoder(), sleeps, pieces);
        assertThat(got).isEqualTo(decode(String.join("", pieces)));
        assertThat(got.get(got.size() - 1)).isEqualTo(StreamFrame.Close.INSTANCE);
        assertThat(sleeps[0]).as("it slept between stanzas").isGreaterThanOrEqualTo(4);
    }

    @Test
    void itDoesNotHibernateWithAStanzaHalfReceived() {
        XmppStreamDecoder d = new XmppStreamDecoder();
        List<StreamFrame> out = new ArrayList<>();
        d.feed(ByteString.fromString(HEADER + "<message to='a@b'><bo"), out);
        assertThat(d.canHibernate()).isFalse();
        d.hibernate();
        assertThat(d.isHibernating()).isFalse();
        d.feed(ByteString.fromString("dy>x</body></message>"), out);
        assertThat(d.canHibernate()).isTrue();
        assertThat(out).hasSize(2);
    }

    @Test
    void aStreamWithItsOwnPrefixClosesWithThatPrefixAfterWaking() {
        String header = "<?xml version='1.0'?><s:stream xmlns:s='http://etherx.jabber.org/streams' xmlns='jabber:client'"
                + " xmlns:x=\"urn:x'&amp;\" to='example.com' version='1.0'>";
        int[] sleeps = {0};
        List<StreamFrame> got = decodeHibernating(new XmppStreamDecoder(), sleeps, header, "<x:ping/>", "</s:stream>");
        assertThat(sleeps[0]).isEqualTo(2);
        assertThat(got).hasSize(3);
        assertThat(((StreamFrame.Element) got.get(1)).element().namespace()).isEqualTo("urn:x'&");
        assertThat(got.get(2)).isEqualTo(StreamFrame.Close.INSTANCE);
    }

    @Test
    void limitsStillCountAfterWaking() {
        StreamLimits limits = new StreamLimits(2048, 64);
        XmppStreamDecoder d = new XmppStreamDecoder(limits);
        int[] sleeps = {0};
        List<StreamFrame> got = decodeHibernating(d, sleeps, HEADER, "<presence/>",
                "<message><body>" + "x".repeat(1500) + "</body></message>", " ",
                "<message><body>" + "y".repeat(1500), "y".repeat(1000));
        assertThat(sleeps[0]).isGreaterThanOrEqualTo(3);
        assertThat(got.subList(0, 3)).allMatch(f -> !(f instanceof StreamFrame.Fault));
        assertThat(lastFault(got).condition()).isEqualTo(StreamErrorCondition.POLICY_VIOLATION);
    }
}
