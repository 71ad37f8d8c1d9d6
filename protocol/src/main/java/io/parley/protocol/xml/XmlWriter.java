package io.parley.protocol.xml;

import akka.util.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Serialises the XML model straight to UTF-8 bytes in one pass, escaping as it goes.
 *
 * <p>Namespaces: an element whose namespace equals the one in scope gets no declaration, so a
 * stanza in the stream's content namespace ({@code jabber:client}) is written without
 * {@code xmlns}: the stream's default namespace is written once, on the stream header. In stream
 * mode, elements of the streams namespace use the {@code stream:} prefix the header declares.
 * Text escapes {@code & < >} and CR; attribute values (single-quoted) also escape quotes, TAB,
 * LF and CR, so parsing the output gives back exactly the model. Characters XML 1.0 cannot
 * carry (controls, unpaired surrogates) are written as U+FFFD.
 *
 * <p>Not thread-safe; reuse one per connection or per thread with {@link #reset()}.
 */
public final class XmlWriter {

    private static final byte[] AMP = "&amp;".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LT = "&lt;".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GT = "&gt;".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] APOS = "&apos;".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] QUOT = "&quot;".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TAB = "&#x9;".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LF = "&#xA;".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CR = "&#xD;".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FFFD = {(byte) 0xEF, (byte) 0xBF, (byte) 0xBD};

    /** For ASCII: 0 = copy, 1 = escape in text, 2 = escape in attributes only, 3 = invalid. */
    private static final byte[] ASCII_CLASS = new byte[128];

    static {
        for (int c = 0; c < 0x20; c++) {
            ASCII_CLASS[c] = 3;
        }
        ASCII_CLASS['\t'] = 2;
        ASCII_CLASS['\n'] = 2;
        ASCII_CLASS['\r'] = 1;
        ASCII_CLASS['&'] = 1;
        ASCII_CLASS['<'] = 1;
        ASCII_CLASS['>'] = 1;
        ASCII_CLASS['\''] = 2;
        ASCII_CLASS['"'] = 2;
    }

    private final boolean streamPrefix;
    private byte[] buf;
    private int len;

    /**
     * @param streamPrefix write elements of the streams namespace with the {@code stream:} prefix
     *     (inside a stream whose header declared it) instead of declaring the namespace
     */
    public XmlWriter(boolean streamPrefix) {
        this(streamPrefix, 512);
    }

    public XmlWriter(boolean streamPrefix, int initialCapacity) {
        this.streamPrefix = streamPrefix;
        this.buf = new byte[Math.max(64, initialCapacity)];
    }

    /** Standalone XML for an element, its namespace declared on it. */
    public static String toXml(XmlElement element) {
        XmlWriter w = new XmlWriter(false, 256);
        w.element(element, "");
        return new String(w.buf, 0, w.len, StandardCharsets.UTF_8);
    }

    /** Standalone UTF-8 bytes for an element, its namespace declared on it. */
    public static byte[] toBytes(XmlElement element) {
        XmlWriter w = new XmlWriter(false, 256);
        w.element(element, "");
        return w.toByteArray();
    }

    /** Writes an element whose parent has {@code inScopeNamespace} as the default namespace. */
    public XmlWriter element(XmlElement e, String inScopeNamespace) {
        String ns = e.namespace();
        boolean prefixed = streamPrefix && ns.equals(Namespaces.STREAMS);
        String childScope = prefixed ? inScopeNamespace : ns;
        put('<');
        if (prefixed) {
            ascii("stream:");
        }
        name(e.name());
        if (!prefixed && !ns.equals(inScopeNamespace)) {
            ascii(" xmlns='");
            attrValue(ns);
            put('\'');
        }
        attributes(e.rawAttrs());
        XmlNode[] children = e.rawChildren();
        if (children.length == 0) {
            ascii("/>");
            return this;
        }
        put('>');
        for (XmlNode child : children) {
            if (child instanceof XmlElement c) {
                element(c, childScope);
            } else {
                text(((XmlText) child).text());
            }
        }
        ascii("</");
        if (prefixed) {
            ascii("stream:");
        }
        name(e.name());
        put('>');
        return this;
    }

    /**
     * Writes an XML declaration and an opening stream tag: {@code <stream:stream xmlns=content
     * xmlns:stream=...>} followed by the header's attributes.
     */
    public XmlWriter streamOpen(XmlElement header, String contentNamespace) {
        ascii("<?xml version='1.0'?><stream:stream xmlns='");
        attrValue(contentNamespace);
        ascii("' xmlns:stream='" + Namespaces.STREAMS + "'");
        attributes(header.rawAttrs());
        put('>');
        return this;
    }

    public XmlWriter streamClose() {
        ascii("</stream:stream>");
        return this;
    }

    /** Writes escaped character data. */
    public XmlWriter text(String s) {
        escaped(s, false);
        return this;
    }

    /** Writes ASCII verbatim (markup the caller knows to be well formed). */
    public XmlWriter ascii(String s) {
        int n = s.length();
        ensure(n);
        byte[] b = buf;
        int p = len;
        for (int i = 0; i < n; i++) {
            b[p++] = (byte) s.charAt(i);
        }
        len = p;
        return this;
    }

    public int size() {
        return len;
    }

    public XmlWriter reset() {
        len = 0;
        return this;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    /** The current buffer size in bytes. */
    public int capacity() {
        return buf.length;
    }

    /** The bytes written so far as a ByteString (a copy), then resets this writer. */
    public ByteString takeByteString() {
        ByteString out = ByteString.fromArray(buf, 0, len);
        len = 0;
        return out;
    }

    @Override
    public String toString() {
        return new String(buf, 0, len, StandardCharsets.UTF_8);
    }

    // ---- internals ------------------------------------------------------------------------------

    private void attributes(String[] a) {
        int generated = 0;
        for (int i = 0; i < a.length; i += 3) {
            String ans = a[i];
            put(' ');
            if (!ans.isEmpty()) {
                if (ans.equals(Namespaces.XML)) {
                    ascii("xml:");
                } else {
                    // declare a prefix for this attribute's namespace on the element itself
                    String prefix = "a" + generated++;
                    ascii("xmlns:" + prefix + "='");
                    attrValue(ans);
                    ascii("' " + prefix + ":");
                }
            }
            name(a[i + 1]);
            ascii("='");
            attrValue(a[i + 2]);
            put('\'');
        }
    }

    private void name(String n) {
        // Names come from the parser or from code; they are well formed. Non-ASCII names are legal XML.
        escaped(n, false);
    }

    private void attrValue(String s) {
        escaped(s, true);
    }

    private void escaped(String s, boolean attribute) {
        int n = s.length();
        ensure(n * 6);
        byte[] b = buf;
        int p = len;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                byte cls = ASCII_CLASS[c];
                if (cls == 0 || (cls == 2 && !attribute)) {
                    b[p++] = (byte) c;
                    continue;
                }
                byte[] rep = switch (c) {
                    case '&' -> AMP;
                    case '<' -> LT;
                    case '>' -> GT;
                    case '\'' -> APOS;
                    case '"' -> QUOT;
                    case '\t' -> TAB;
                    case '\n' -> LF;
                    case '\r' -> CR;
                    default -> FFFD;
                };
                System.arraycopy(rep, 0, b, p, rep.length);
                p += rep.length;
            } else if (c < 0x800) {
                b[p++] = (byte) (0xC0 | (c >> 6));
                b[p++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                b[p++] = (byte) (0xF0 | (cp >> 18));
                b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                b[p++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c) || c == 0xFFFE || c == 0xFFFF) {
                System.arraycopy(FFFD, 0, b, p, 3);
                p += 3;
            } else {
                b[p++] = (byte) (0xE0 | (c >> 12));
                b[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                b[p++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        len = p;
    }

    private void put(int c) {
        ensure(1);
        buf[len++] = (byte) c;
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
        }
    }
}
