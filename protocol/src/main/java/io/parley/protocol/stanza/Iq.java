package io.parley.protocol.stanza;

import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.Locale;

/** An {@code <iq/>} stanza (RFC 6120 section 8.2.3). */
public final class Iq extends Stanza {

    public enum Type {
        GET, SET, RESULT, ERROR;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The type for an attribute value, or {@code null} when absent or unknown. */
        public static Type fromValue(String value) {
            if (value == null) {
                return null;
            }
            return switch (value) {
                case "get" -> GET;
                case "set" -> SET;
                case "result" -> RESULT;
                case "error" -> ERROR;
                default -> null;
            };
        }
    }

    Iq(XmlElement element) {
        super(element);
    }

    /** A view of an iq element. */
    public static Iq of(XmlElement element) {
        if (!element.name().equals("iq")) {
            throw new IllegalArgumentException("not an iq: " + element.name());
        }
        return new Iq(element);
    }

    /** The type, or {@code null} when absent or unknown (which is a bad-request). */
    public Type type() {
        return Type.fromValue(typeAttr());
    }

    public boolean isRequest() {
        Type t = type();
        return t == Type.GET || t == Type.SET;
    }

    /** The first child element (the request or result payload), or {@code null}. */
    public XmlElement payload() {
        return element.firstElement();
    }

    /**
     * True when this iq obeys RFC 6120 section 8.2.3: an id, a known type, and exactly one
     * payload for get/set (at most one for result).
     */
    public boolean isWellFormed() {
        Type t = type();
        if (t == null || id() == null) {
            return false;
        }
        int payloads = element.elements().size();
        return switch (t) {
            case GET, SET -> payloads == 1;
            case RESULT -> payloads <= 1;
            case ERROR -> true;
        };
    }

    /** The result reply: addresses swapped, same id, with the payload (or none). */
    public XmlElement resultReply(XmlElement resultPayload) {
        return XmlElement.builder("iq", element.namespace())
                .attr("from", toAttr())
                .attr("to", fromAttr())
                .attr("type", "result")
                .attr("id", id())
                .child(resultPayload)
                .build();
    }

    public XmlElement resultReply() {
        return resultReply(null);
    }

    public static Builder builder(Type type) {
        return new Builder(Namespaces.CLIENT).type(type);
    }

    public static Builder builder(String namespace, Type type) {
        return new Builder(namespace).type(type);
    }

    /** Builds an iq. */
    public static final class Builder extends Stanza.Builder<Builder> {
        Builder(String namespace) {
            super("iq", namespace);
        }

        public Builder type(Type type) {
            b.attr("type", type.value());
            return this;
        }

        public Iq build() {
            return new Iq(b.build());
        }
    }
}
