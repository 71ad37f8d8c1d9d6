package io.parley.protocol.stanza;

import io.parley.protocol.jid.Jid;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import io.parley.protocol.xml.XmlNode;
import java.util.Objects;

/**
 * A typed view of a stanza element: message, presence or iq in {@code jabber:client} or
 * {@code jabber:server}. Views are cheap wrappers; the element stays the truth.
 */
public abstract sealed class Stanza permits Message, Presence, Iq {

    protected final XmlElement element;

    Stanza(XmlElement element) {
        this.element = Objects.requireNonNull(element, "element");
    }

    /** A view of the element, or {@code null} when it is not a stanza. */
    public static Stanza of(XmlElement element) {
        if (!isStanzaNamespace(element.namespace())) {
            return null;
        }
        return switch (element.name()) {
            case "message" -> new Message(element);
            case "presence" -> new Presence(element);
            case "iq" -> new Iq(element);
            default -> null;
        };
    }

    public static boolean isStanzaNamespace(String namespace) {
        return namespace.equals(Namespaces.CLIENT) || namespace.equals(Namespaces.SERVER);
    }

    /** True for a message, presence or iq element in a stanza namespace. */
    public static boolean isStanza(XmlElement element) {
        String n = element.name();
        return isStanzaNamespace(element.namespace()) && (n.equals("message") || n.equals("presence") || n.equals("iq"));
    }

    public XmlElement element() {
        return element;
    }

    public String id() {
        return element.attr("id");
    }

    /** The raw {@code to} attribute, or {@code null}. */
    public String toAttr() {
        return element.attr("to");
    }

    /** The raw {@code from} attribute, or {@code null}. */
    public String fromAttr() {
        return element.attr("from");
    }

    /**
     * The {@code to} address, or {@code null} when absent.
     *
     * @throws io.parley.protocol.jid.JidFormatException when present but invalid
     */
    public Jid to() {
        String to = toAttr();
        return to == null ? null : Jid.of(to);
    }

    /**
     * The {@code from} address, or {@code null} when absent.
     *
     * @throws io.parley.protocol.jid.JidFormatException when present but invalid
     */
    public Jid from() {
        String from = fromAttr();
        return from == null ? null : Jid.of(from);
    }

    /** The raw {@code type} attribute, or {@code null}. */
    public String typeAttr() {
        return element.attr("type");
    }

    public String lang() {
        return element.lang();
    }

    public boolean isError() {
        return "error".equals(typeAttr());
    }

    /** The error of an error stanza, or {@code null}. */
    public StanzaError error() {
        return StanzaError.fromStanza(element);
    }

    /**
     * The error reply to this stanza (RFC 6120 section 8.3.1): addresses swapped, same id,
     * {@code type='error'}, the error appended; for an iq the original payload is kept.
     *
     * @throws IllegalStateException when this stanza is itself an error (errors are never answered)
     */
    public XmlElement errorReply(StanzaError error) {
        if (isError()) {
            throw new IllegalStateException("an error stanza must not be answered with an error");
        }
        XmlElement.Builder b = XmlElement.builder(element.name(), element.namespace())
                .attr("from", toAttr())
                .attr("to", fromAttr())
                .attr("type", "error")
                .attr("id", id())
                .attr(Namespaces.XML, "lang", lang());
        if (this instanceof Iq) {
            for (XmlNode child : element.children()) {
                if (child instanceof XmlElement) {
                    b.child(child);
                }
            }
        }
        return b.child(error.toElement(element.namespace())).build();
    }

    public XmlElement errorReply(StanzaErrorCondition condition) {
        return errorReply(StanzaError.of(condition));
    }

    /** This stanza's element with new {@code from} and {@code to} (null removes). */
    public XmlElement readdressed(Jid from, Jid to) {
        return element.withAttr("from", from == null ? null : from.toString())
                .withAttr("to", to == null ? null : to.toString());
    }

    @Override
    public String toString() {
        return element.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && ((Stanza) o).element.equals(element);
    }

    @Override
    public int hashCode() {
        return element.hashCode();
    }

    /** Common builder state for the three stanza kinds. */
    @SuppressWarnings("unchecked")
    abstract static class Builder<B extends Builder<B>> {
        final XmlElement.Builder b;

        Builder(String name, String namespace) {
            b = XmlElement.builder(name, namespace);
        }

        public B to(Jid to) {
            b.attr("to", to == null ? null : to.toString());
            return (B) this;
        }

        public B from(Jid from) {
            b.attr("from", from == null ? null : from.toString());
            return (B) this;
        }

        public B id(String id) {
            b.attr("id", id);
            return (B) this;
        }

        public B lang(String lang) {
            b.attr(Namespaces.XML, "lang", lang);
            return (B) this;
        }

        public B child(XmlElement child) {
            b.child(child);
            return (B) this;
        }
    }
}
