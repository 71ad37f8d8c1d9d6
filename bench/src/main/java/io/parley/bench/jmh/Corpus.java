package io.parley.bench.jmh;

import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import io.parley.protocol.xml.XmlWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A deterministic, realistic client-to-server stream: chat messages with chat states and
 * receipts (60%), presences with caps and status (30%), roster gets and pushes (10%).
 */
public final class Corpus {

    public static final String HEADER = "<?xml version='1.0'?><stream:stream xmlns='jabber:client'"
            + " xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0' xml:lang='en'>";

    private static final String[] WORDS = {"hello", "are", "you", "coming", "tonight", "the", "meeting", "moved", "to",
        "room", "42", "ok", "see", "you", "there", "thanks!", "😀", "übermorgen", "café", "ça", "va", "?", "&", "<3"};

    public final List<XmlElement> stanzas;
    public final byte[] bytes;
    /** Bytes of the stanzas alone, without the stream header. */
    public final int stanzaBytes;

    private Corpus(List<XmlElement> stanzas) {
        this.stanzas = List.copyOf(stanzas);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] header = HEADER.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(header);
        XmlWriter w = new XmlWriter(true, 4096);
        for (XmlElement e : stanzas) {
            w.element(e, Namespaces.CLIENT);
        }
        out.writeBytes(w.toByteArray());
        this.bytes = out.toByteArray();
        this.stanzaBytes = bytes.length - header.length;
    }

    public static Corpus mix(int count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<XmlElement> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int pick = r.nextInt(10);
            list.add(pick < 6 ? chat(r, i) : pick < 9 ? presence(r, i) : roster(r, i));
        }
        return new Corpus(list);
    }

    public static Corpus chat(int count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<XmlElement> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(chat(r, i));
        }
        return new Corpus(list);
    }

    private static String user(SplittableRandom r) {
        return "user" + r.nextInt(100_000) + "@example.com";
    }

    private static String sentence(SplittableRandom r, int words) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < words; i++) {
            if (i > 0) {
                b.append(' ');
            }
            b.append(WORDS[r.nextInt(WORDS.length)]);
        }
        return b.toString();
    }

    static XmlElement chat(SplittableRandom r, int i) {
        return XmlElement.builder("message", Namespaces.CLIENT)
                .attr("to", user(r)).attr("type", "chat").attr("id", "m" + i + "-" + Long.toHexString(r.nextLong()))
                .textElement("body", Namespaces.CLIENT, sentence(r, 3 + r.nextInt(25)))
                .child(XmlElement.of("active", "http://jabber.org/protocol/chatstates"))
                .child(XmlElement.of("request", "urn:xmpp:receipts"))
                .build();
    }

    static XmlElement presence(SplittableRandom r, int i) {
        return XmlElement.builder("presence", Namespaces.CLIENT)
                .attr("id", "p" + i)
                .textElement("show", Namespaces.CLIENT, r.nextBoolean() ? "away" : "dnd")
                .textElement("status", Namespaces.CLIENT, sentence(r, 1 + r.nextInt(6)))
                .textElement("priority", Namespaces.CLIENT, Integer.toString(r.nextInt(10)))
                .child(XmlElement.builder("c", Namespaces.CAPS).attr("hash", "sha-1")
                        .attr("node", "https://conversations.im").attr("ver", "4rMsKyNI9Cr2XfZ2ikbI3aIJBcc=").build())
                .build();
    }

    static XmlElement roster(SplittableRandom r, int i) {
        XmlElement.Builder query = XmlElement.builder("query", Namespaces.ROSTER).attr("ver", "v" + i);
        if (r.nextBoolean()) {
            int items = 1 + r.nextInt(8);
            for (int k = 0; k < items; k++) {
                query.child(XmlElement.builder("item", Namespaces.ROSTER).attr("jid", user(r)).attr("name", sentence(r, 2))
                        .attr("subscription", "both")
                        .textElement("group", Namespaces.ROSTER, r.nextBoolean() ? "Friends" : "Work").build());
            }
            return XmlElement.builder("iq", Namespaces.CLIENT).attr("type", "set").attr("id", "r" + i).child(query.build()).build();
        }
        return XmlElement.builder("iq", Namespaces.CLIENT).attr("type", "get").attr("id", "r" + i).child(query.build()).build();
    }
}
