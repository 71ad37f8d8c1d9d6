package io.parley.protocol.stream;

import akka.util.ByteString;
import com.fasterxml.aalto.AsyncByteArrayFeeder;
import com.fasterxml.aalto.AsyncXMLStreamReader;
import com.fasterxml.aalto.stax.InputFactoryImpl;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import io.parley.protocol.xml.XmlNode;
import io.parley.protocol.xml.XmlText;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;

/**
 * Turns the bytes of an XMPP stream into whole {@link StreamFrame}s with Aalto's non-blocking
 * reader: the stream header, each complete top-level element, the stream close, or a fault.
 *
 * <p>Rules (RFC 6120 section 11): DTDs, comments, processing instructions and entity
 * references other than the five predefined ones give {@code restricted-xml}; anything not well
 * formed gives {@code not-well-formed}; a declared encoding other than UTF-8 gives
 * {@code unsupported-encoding}; a root other than {@code <stream:stream>} gives
 * {@code invalid-namespace}. A top-level element larger than the configured limit, or nesting
 * deeper than allowed, gives {@code policy-violation}. After a fault every further byte is
 * ignored. Memory stays bounded by the size limit plus one feed slice, whatever the input.
 *
 * <p>The result does not depend on how the input is split, including inside a UTF-8 sequence.
 * Not thread-safe: one decoder per connection, driven by one stage.
 */
public final class XmppStreamDecoder {

    /** Input is fed to Aalto in slices of at most this many bytes, copied to offset 0 (Aalto's byte offsets need it). */
    static final int SLICE = 4096;

    private static final InputFactoryImpl FACTORY = newFactory();

    /**
     * The feed slice, per thread: Aalto consumes everything fed before {@link #drain} returns, so
     * only an incomplete UTF-8 sequence ({@link #carry}) outlives a call, and an idle connection
     * holds no input buffer.
     */
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[SLICE]);

    private final StreamLimits limits;
    /** At most three bytes of a character split by the input's chunking. */
    private final byte[] carry = new byte[3];
    private final ArrayList<Level> levels = new ArrayList<>();

    private AsyncXMLStreamReader<AsyncByteArrayFeeder> reader;
    private String contentNamespace;
    /** Open elements, the stream element included: 0 before the root, 1 between stanzas. */
    private int depth;
    private long fed;
    private long lastBoundary;
    private long stanzaStart;
    private int prologState;
    /** Bytes of an incomplete UTF-8 sequence waiting in {@link #carry}. */
    private int carried;
    private boolean done;
    /**
     * The stream header again, as a minimal start tag with the same root name and namespace
     * declarations, for a parser woken from {@link #hibernate()}; null when that is not possible.
     */
    private byte[] resumeHeader;
    /** Aalto's byte offsets are relative to its own input: {@code offset - synthetic + base} is ours. */
    private long base;
    private long synthetic;
    /** Every byte fed since {@link #lastBoundary} was whitespace (so nothing is lost by dropping the parser). */
    private boolean cleanTail = true;

    public XmppStreamDecoder(StreamLimits limits) {
        this.limits = limits;
        reset();
    }

    public XmppStreamDecoder() {
        this(StreamLimits.DEFAULTS);
    }

    private static InputFactoryImpl newFactory() {
        InputFactoryImpl f = new InputFactoryImpl();
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        f.setProperty(XMLInputFactory.IS_COALESCING, false);
        warmUp(f);
        return f;
    }

    /**
     * Teaches the factory's shared symbol table the names every stream uses. Aalto gives each
     * reader a copy-on-write child of that table and merges a child's new names back only when
     * the reader closes, which a connection's reader never does: without this, every connection
     * would copy the table and intern the same few dozen names for itself.
     */
    private static void warmUp(InputFactoryImpl f) {
        String doc = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='" + Namespaces.STREAMS + "'"
                + " to='a' from='a' id='a' version='1.0' xml:lang='en'>"
                + "<starttls/><proceed/><auth mechanism='a'/><challenge/><response/><success/><failure/><abort/>"
                + "<features/><mechanisms><mechanism/></mechanisms><register/><bind><resource/><jid/></bind><session/>"
                + "<sm/><enable/><enabled/><r/><a h='1'/><ver/><error/><text/><required/><optional/>"
                + "<iq type='a' id='a' to='a' from='a'><query node='a' ver='a'><item jid='a' name='a' subscription='a' ask='a' approved='a'>"
                + "<group/></item><identity category='a' type='a' name='a'/><feature var='a'/></query></iq>"
                + "<presence><show/><status/><priority/><c hash='a' node='a' ver='a' ext='a'/><x/><photo/><delay stamp='a' from='a'/>"
                + "<nick/><idle since='a'/></presence>"
                + "<message><body/><subject/><thread parent='a'/><active/><composing/><paused/><inactive/><gone/>"
                + "<request/><received id='a'/><markable/><displayed/><origin-id/><stanza-id by='a'/><sent/><forwarded/>"
                + "<private/><no-copy/><no-store/><store/><encrypted/><header sid='a'/><payload/><key rid='a' prekey='a'/>"
                + "<html/><reference begin='a' end='a' uri='a'/><event/><items/><retract/><publish/><field var='a' label='a'><value/></field>"
                + "</message><ping/><vCard><FN/><N/><NICKNAME/><PHOTO/><TYPE/><BINVAL/><EMAIL/><USERID/></vCard>"
                + "<blocklist/><block/><unblock/><storage/><conference autojoin='a' name='a' password='a'/><time/><tzo/><utc/>"
                + "<name/><version/><os/><seconds/><username/><password/><remove/><offline/><fetch/><purge/><value/>"
                + "</stream:stream>";
        try {
            AsyncXMLStreamReader<AsyncByteArrayFeeder> r = f.createAsyncForByteArray();
            byte[] bytes = doc.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            r.getInputFeeder().feedInput(bytes, 0, bytes.length);
            while (r.next() != AsyncXMLStreamReader.EVENT_INCOMPLETE) {
                // read every name
            }
            r.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("the warm-up document is well formed", e);
        }
    }

    /** Starts over for a new stream (after STARTTLS or SASL success); any partial input is dropped. */
    public void reset() {
        reader = FACTORY.createAsyncForByteArray();
        levels.clear();
        resumeHeader = null;
        base = 0;
        synthetic = 0;
        cleanTail = true;
        contentNamespace = "";
        depth = 0;
        fed = 0;
        lastBoundary = 0;
        stanzaStart = 0;
        prologState = 0;
        carried = 0;
        done = false;
    }

    /**
     * True when the parser sits between two stanzas with nothing but whitespace pending, so
     * {@link #hibernate()} would lose nothing.
     */
    public boolean canHibernate() {
        return reader != null && !done && depth == 1 && carried == 0 && cleanTail && resumeHeader != null;
    }

    /**
     * Drops the XML parser and its buffers (a few kilobytes) while the stream is idle; the next
     * input wakes a new parser primed with the stream header, so the result is the same as if
     * it had never slept. Does nothing unless {@link #canHibernate()}.
     */
    public void hibernate() {
        if (canHibernate()) {
            reader = null;
            levels.clear();
            levels.trimToSize();
        }
    }

    /** True while hibernating. */
    public boolean isHibernating() {
        return reader == null;
    }

    private void wake() {
        AsyncXMLStreamReader<AsyncByteArrayFeeder> r = FACTORY.createAsyncForByteArray();
        try {
            r.getInputFeeder().feedInput(resumeHeader, 0, resumeHeader.length);
            int ev;
            while ((ev = r.next()) != AsyncXMLStreamReader.EVENT_INCOMPLETE) {
                if (ev != XMLStreamConstants.START_DOCUMENT && ev != XMLStreamConstants.START_ELEMENT) {
                    throw new IllegalStateException("unexpected event " + ev + " in the resume header");
                }
            }
        } catch (XMLStreamException e) {
            throw new IllegalStateException("the resume header is well formed", e);
        }
        reader = r;
        base = fed;
        synthetic = resumeHeader.length;
    }

    /** Our offset in the stream for one of Aalto's byte offsets. */
    private long offset(long aaltoOffset) {
        return aaltoOffset - synthetic + base;
    }

    /** True once the stream closed or faulted: further input is ignored until {@link #reset()}. */
    public boolean isDone() {
        return done;
    }

    /** Feeds bytes and appends every frame they complete to {@code out}. */
    public void feed(ByteString bytes, List<StreamFrame> out) {
        byte[] scratch = beginFeed();
        int n = bytes.size();
        for (int pos = 0; pos < n && !done; ) {
            int len = Math.min(SLICE - carried, n - pos);
            (pos == 0 && len == n ? bytes : bytes.slice(pos, pos + len)).copyToArray(scratch, carried, len);
            feedScratch(scratch, carried + len, out);
            pos += len;
        }
        endFeed(scratch);
    }

    /** Feeds bytes and appends every frame they complete to {@code out}. */
    public void feed(byte[] bytes, int offset, int length, List<StreamFrame> out) {
        byte[] scratch = beginFeed();
        for (int pos = 0; pos < length && !done; ) {
            int len = Math.min(SLICE - carried, length - pos);
            System.arraycopy(bytes, offset + pos, scratch, carried, len);
            feedScratch(scratch, carried + len, out);
            pos += len;
        }
        endFeed(scratch);
    }

    /** Wakes a hibernating parser and returns this thread's slice with the carried bytes at its start. */
    private byte[] beginFeed() {
        if (reader == null && !done) {
            wake();
        }
        byte[] scratch = SCRATCH.get();
        System.arraycopy(carry, 0, scratch, 0, carried);
        return scratch;
    }

    /** Keeps the bytes of a character split at the end of the input for the next call. */
    private void endFeed(byte[] scratch) {
        System.arraycopy(scratch, 0, carry, 0, carried);
    }

    /**
     * Feeds {@code scratch[0, total)} to Aalto, except an incomplete UTF-8 sequence at its end,
     * which is kept at the start of {@code scratch} for the next call. Aalto (1.3.4 and 1.4.0)
     * drops a four-byte character of an attribute value when a feed boundary splits it, so no
     * boundary is ever allowed inside a character.
     */
    private void feedScratch(byte[] scratch, int total, List<StreamFrame> out) {
        int cut = completeUtf8Prefix(scratch, total);
        if (cut > 0) {
            if (depth == 0 && prologState >= 0 && restrictedProlog(scratch, cut)) {
                fault(out, StreamErrorCondition.RESTRICTED_XML, "DTDs and comments are not allowed");
                return;
            }
            try {
                reader.getInputFeeder().feedInput(scratch, 0, cut);
            } catch (XMLStreamException e) {
                fault(out, StreamErrorCondition.NOT_WELL_FORMED, firstLine(e.getMessage()));
                return;
            }
            fed += cut;
            drain(out);
            long chunkStart = fed - cut;
            if (lastBoundary >= chunkStart) {
                cleanTail = onlySpace(scratch, (int) Math.min(cut, lastBoundary - chunkStart), cut);
            } else {
                cleanTail = cleanTail && onlySpace(scratch, 0, cut);
            }
        }
        carried = total - cut;
        if (carried > 0) {
            System.arraycopy(scratch, cut, scratch, 0, carried);
        }
        if (!done) {
            long pendingStart = depth >= 2 ? stanzaStart : lastBoundary;
            if (fed - pendingStart > limits.maxStanzaBytes()) {
                fault(out, StreamErrorCondition.POLICY_VIOLATION,
                        "stanza larger than " + limits.maxStanzaBytes() + " bytes");
            }
        }
    }

    private static boolean onlySpace(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return false;
            }
        }
        return true;
    }

    /**
     * The length of {@code b[0, n)} without a trailing incomplete UTF-8 sequence. Malformed
     * bytes are left in place for Aalto to refuse.
     */
    static int completeUtf8Prefix(byte[] b, int n) {
        for (int i = n - 1; i >= 0 && i >= n - 3; i--) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                return n; // ASCII: everything before it is complete
            }
            if (c >= 0xC0) {
                int need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
                return n - i < need ? i : n;
            }
            // a continuation byte: keep looking for its lead byte
        }
        return n;
    }

    /**
     * Before the root element only the XML declaration may appear: Aalto's non-blocking reader
     * cannot parse an internal DTD subset, so {@code <!} (a DOCTYPE or a comment) is caught here.
     */
    private boolean restrictedProlog(byte[] scratch, int len) {
        for (int i = 0; i < len; i++) {
            byte b = scratch[i];
            if (prologState == 1) {
                if (b == '!') {
                    return true;
                }
                if (b != '?') {
                    prologState = -1; // the root element has started
                    return false;
                }
                prologState = 0;
            } else if (b == '<') {
                prologState = 1;
            }
        }
        return false;
    }

    private void drain(List<StreamFrame> out) {
        AsyncXMLStreamReader<AsyncByteArrayFeeder> r = reader;
        try {
            int ev;
            while (!done && (ev = r.next()) != AsyncXMLStreamReader.EVENT_INCOMPLETE) {
                switch (ev) {
                    case XMLStreamConstants.START_ELEMENT -> startElement(r, out);
                    case XMLStreamConstants.END_ELEMENT -> endElement(r, out);
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE ->
                            characters(r, out);
                    case XMLStreamConstants.START_DOCUMENT -> startDocument(r, out);
                    case XMLStreamConstants.COMMENT ->
                            fault(out, StreamErrorCondition.RESTRICTED_XML, "comments are not allowed");
                    case XMLStreamConstants.PROCESSING_INSTRUCTION ->
                            fault(out, StreamErrorCondition.RESTRICTED_XML, "processing instructions are not allowed");
                    case XMLStreamConstants.ENTITY_REFERENCE ->
                            fault(out, StreamErrorCondition.RESTRICTED_XML,
                                    "entity reference &" + r.getLocalName() + "; is not allowed");
                    case XMLStreamConstants.DTD ->
                            fault(out, StreamErrorCondition.RESTRICTED_XML, "DTDs are not allowed");
                    default -> {
                        // END_DOCUMENT only follows endOfInput, which is never signalled
                    }
                }
            }
        } catch (XMLStreamException | RuntimeException e) {
            fault(out, classify(e.getMessage()), firstLine(e.getMessage()));
        }
    }

    private void startDocument(AsyncXMLStreamReader<?> r, List<StreamFrame> out) {
        String encoding = r.getCharacterEncodingScheme();
        if (encoding != null && !encoding.equalsIgnoreCase("UTF-8")) {
            fault(out, StreamErrorCondition.UNSUPPORTED_ENCODING, "only UTF-8 is supported");
            return;
        }
        String version = r.getVersion();
        if (version != null && !version.equals("1.0")) {
            fault(out, StreamErrorCondition.BAD_FORMAT, "only XML 1.0 is supported");
        }
    }

    private void startElement(AsyncXMLStreamReader<?> r, List<StreamFrame> out) throws XMLStreamException {
        if (depth == 0) {
            openStream(r, out);
            return;
        }
        if (depth - 1 >= limits.maxDepth()) {
            fault(out, StreamErrorCondition.POLICY_VIOLATION, "elements nested deeper than " + limits.maxDepth());
            return;
        }
        if (depth == 1) {
            stanzaStart = offset(r.getLocationInfo().getStartingByteOffset());
        } else {
            levels.get(depth - 2).flushText();
        }
        Level level;
        if (levels.size() < depth) {
            level = new Level();
            levels.add(level);
        } else {
            level = levels.get(depth - 1);
        }
        level.start(r.getLocalName(), nullToEmpty(r.getNamespaceURI()), attributes(r));
        depth++;
    }

    private void openStream(AsyncXMLStreamReader<?> r, List<StreamFrame> out) throws XMLStreamException {
        String ns = nullToEmpty(r.getNamespaceURI());
        if (!ns.equals(Namespaces.STREAMS) || !r.getLocalName().equals("stream")) {
            fault(out, StreamErrorCondition.INVALID_NAMESPACE,
                    "the root element must be <stream> in " + Namespaces.STREAMS);
            return;
        }
        String content = "";
        String rootPrefix = nullToEmpty(r.getPrefix());
        StringBuilder resume = new StringBuilder("<").append(rootPrefix.isEmpty() ? "" : rootPrefix + ":").append("stream");
        for (int i = 0; i < r.getNamespaceCount(); i++) {
            String prefix = r.getNamespacePrefix(i);
            String uri = nullToEmpty(r.getNamespaceURI(i));
            if (prefix == null || prefix.isEmpty()) {
                content = uri;
                resume.append(" xmlns='");
            } else {
                resume.append(" xmlns:").append(prefix).append("='");
            }
            resume.append(uri.replace("&", "&amp;").replace("'", "&apos;").replace("<", "&lt;")).append('\'');
        }
        contentNamespace = content;
        // with streams as the default namespace, unprefixed stanzas would not be jabber:client:
        // such a stream is refused later anyway; it just never hibernates
        resumeHeader = rootPrefix.isEmpty() ? null : resume.append('>').toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        depth = 1;
        lastBoundary = offset(r.getLocationInfo().getEndingByteOffset());
        out.add(new StreamFrame.Open(XmlElement.ofParsed("stream", ns, attributes(r), new XmlNode[0]), content));
    }

    private void endElement(AsyncXMLStreamReader<?> r, List<StreamFrame> out) throws XMLStreamException {
        depth--;
        if (depth == 0) {
            done = true;
            out.add(StreamFrame.Close.INSTANCE);
            return;
        }
        XmlElement e = levels.get(depth - 1).finish();
        if (depth == 1) {
            long end = offset(r.getLocationInfo().getEndingByteOffset());
            if (end - stanzaStart > limits.maxStanzaBytes()) {
                fault(out, StreamErrorCondition.POLICY_VIOLATION,
                        "stanza larger than " + limits.maxStanzaBytes() + " bytes");
                return;
            }
            lastBoundary = end;
            out.add(new StreamFrame.Element(e));
        } else {
            levels.get(depth - 2).children.add(e);
        }
    }

    private void characters(AsyncXMLStreamReader<?> r, List<StreamFrame> out) throws XMLStreamException {
        if (depth >= 2) {
            levels.get(depth - 2).appendText(r.getText());
            return;
        }
        // between stanzas only whitespace (keepalives) is allowed
        char[] chars = r.getTextCharacters();
        int start = r.getTextStart();
        int end = start + r.getTextLength();
        for (int i = start; i < end; i++) {
            char c = chars[i];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                fault(out, StreamErrorCondition.BAD_FORMAT, "text outside stanzas");
                return;
            }
        }
        if (depth == 1) {
            lastBoundary = offset(r.getLocationInfo().getEndingByteOffset());
        }
    }

    private static String[] attributes(AsyncXMLStreamReader<?> r) {
        int n = r.getAttributeCount();
        String[] a = new String[n * 3];
        for (int i = 0, j = 0; i < n; i++, j += 3) {
            a[j] = nullToEmpty(r.getAttributeNamespace(i));
            a[j + 1] = r.getAttributeLocalName(i);
            a[j + 2] = r.getAttributeValue(i);
        }
        return a;
    }

    private void fault(List<StreamFrame> out, StreamErrorCondition condition, String text) {
        if (!done) {
            done = true;
            out.add(new StreamFrame.Fault(condition, text));
        }
    }

    static StreamErrorCondition classify(String message) {
        String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
        if (m.contains("unbound namespace prefix")) {
            return StreamErrorCondition.BAD_NAMESPACE_PREFIX;
        }
        if (m.contains("entity")) {
            return StreamErrorCondition.RESTRICTED_XML;
        }
        return StreamErrorCondition.NOT_WELL_FORMED;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return null;
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl).trim();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /** An element being built; one per depth, reused. */
    private static final class Level {
        private String name;
        private String namespace;
        private String[] attrs;
        private final ArrayList<XmlNode> children = new ArrayList<>();
        private String text;
        private StringBuilder textBuilder;

        void start(String name, String namespace, String[] attrs) {
            this.name = name;
            this.namespace = namespace;
            this.attrs = attrs;
            children.clear();
            text = null;
            if (textBuilder != null) {
                textBuilder.setLength(0);
            }
        }

        void appendText(String t) {
            if (t.isEmpty()) {
                return;
            }
            if (text == null) {
                text = t;
            } else {
                if (textBuilder == null) {
                    textBuilder = new StringBuilder();
                }
                if (textBuilder.length() == 0) {
                    textBuilder.append(text);
                }
                textBuilder.append(t);
                text = "";
            }
        }

        void flushText() {
            if (text != null) {
                if (textBuilder != null && textBuilder.length() > 0) {
                    children.add(new XmlText(textBuilder.toString()));
                    textBuilder.setLength(0);
                } else {
                    children.add(new XmlText(text));
                }
                text = null;
            }
        }

        XmlElement finish() {
            flushText();
            XmlNode[] c = children.isEmpty() ? new XmlNode[0] : children.toArray(new XmlNode[0]);
            children.clear();
            XmlElement e = XmlElement.ofParsed(name, namespace, attrs, c);
            name = null;
            namespace = null;
            attrs = null;
            return e;
        }
    }
}
