package io.parley.protocol.xml;

import com.ctc.wstx.api.WstxInputProperties;
import com.ctc.wstx.stax.WstxInputFactory;
import java.io.InputStream;
import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads a complete XML document into the model with Woodstox's blocking reader: stored XML,
 * XEP-0227 files, fixtures. DTDs are refused and no entity is expanded; comments and
 * processing instructions are skipped (a file may carry them, a stream may not).
 */
public final class XmlReader {

    private static final XMLInputFactory FACTORY = newFactory();

    private XmlReader() {
    }

    private static XMLInputFactory newFactory() {
        WstxInputFactory f = new WstxInputFactory();
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        f.setProperty(XMLInputFactory.IS_COALESCING, true);
        f.setProperty(WstxInputProperties.P_MAX_ELEMENT_DEPTH, 1000);
        return f;
    }

    /** Parses a document held in a string. */
    public static XmlElement parse(String xml) {
        try {
            return read(FACTORY.createXMLStreamReader(new StringReader(xml)));
        } catch (XMLStreamException e) {
            throw new IllegalArgumentException("not well-formed XML: " + e.getMessage(), e);
        }
    }

    /** Parses a document from a stream (the caller closes it). */
    public static XmlElement parse(InputStream in) {
        try {
            return read(FACTORY.createXMLStreamReader(in));
        } catch (XMLStreamException e) {
            throw new IllegalArgumentException("not well-formed XML: " + e.getMessage(), e);
        }
    }

    /** A streaming reader over a file (DTDs refused, no entity expansion), for readers that take one element at a time. */
    public static XMLStreamReader streamOf(InputStream in) {
        try {
            return FACTORY.createXMLStreamReader(in);
        } catch (XMLStreamException e) {
            throw new IllegalArgumentException("not well-formed XML: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the element whose start tag the reader is on, with its subtree, and leaves the reader
     * on its end tag: one element of a large file without the rest of the file in memory.
     */
    public static XmlElement readElement(XMLStreamReader r) throws XMLStreamException {
        if (r.getEventType() != XMLStreamConstants.START_ELEMENT) {
            throw new IllegalStateException("not on a start tag");
        }
        Deque<XmlElement.Builder> stack = new ArrayDeque<>();
        stack.push(startOf(r));
        while (true) {
            int ev = r.next();
            switch (ev) {
                case XMLStreamConstants.START_ELEMENT -> stack.push(startOf(r));
                case XMLStreamConstants.END_ELEMENT -> {
                    XmlElement e = stack.pop().build();
                    if (stack.isEmpty()) {
                        return e;
                    }
                    stack.peek().child(e);
                }
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> stack.peek().text(r.getText());
                case XMLStreamConstants.DTD -> throw new IllegalArgumentException("DTDs are not allowed");
                case XMLStreamConstants.ENTITY_REFERENCE ->
                        throw new IllegalArgumentException("entity references are not allowed: &" + r.getLocalName() + ";");
                default -> {
                }
            }
        }
    }

    private static XmlElement.Builder startOf(XMLStreamReader r) {
        XmlElement.Builder b = XmlElement.builder(r.getLocalName(), nz(r.getNamespaceURI()));
        for (int i = 0; i < r.getAttributeCount(); i++) {
            b.attr(nz(r.getAttributeNamespace(i)), r.getAttributeLocalName(i), r.getAttributeValue(i));
        }
        return b;
    }

    private static XmlElement read(XMLStreamReader r) throws XMLStreamException {
        XmlElement root = null;
        try {
            while (r.hasNext()) {
                switch (r.next()) {
                    case XMLStreamConstants.START_ELEMENT -> root = readElement(r);
                    case XMLStreamConstants.DTD -> throw new IllegalArgumentException("DTDs are not allowed");
                    case XMLStreamConstants.ENTITY_REFERENCE ->
                            throw new IllegalArgumentException("entity references are not allowed: &" + r.getLocalName() + ";");
                    default -> {
                    }
                }
            }
        } finally {
            r.close();
        }
        if (root == null) {
            throw new IllegalArgumentException("no root element");
        }
        return root;
    }

    /** Parses several sibling elements given as one string (wrapped for parsing). */
    public static List<XmlElement> parseFragments(String xml) {
        XmlElement wrapper = parse("<wrapper>" + xml + "</wrapper>");
        return new ArrayList<>(wrapper.elements());
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
