package io.parley.protocol.stanza;

import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.Locale;

/** A {@code <message/>} stanza (RFC 6121 section 5). */
public final class Message extends Stanza {

    /** Message types; an absent or unknown type reads as {@link #NORMAL} (RFC 6121 section 5.2.2). */
    public enum Type {
        NORMAL, CHAT, GROUPCHAT, HEADLINE, ERROR;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Type fromValue(String value) {
            if (value == null) {
                return NORMAL;
            }
            return switch (value) {
                case "chat" -> CHAT;
                case "groupchat" -> GROUPCHAT;
                case "headline" -> HEADLINE;
                case "error" -> ERROR;
                default -> NORMAL;
            };
        }
    }

    Message(XmlElement element) {
        super(element);
    }

    /** A view of a message element. */
    public static Message of(XmlElement element) {
        if (!element.name().equals("message")) {
            throw new IllegalArgumentException("not a message: " + element.name());
        }
        return new Message(element);
    }

    public Type type() {
        return Type.fromValue(typeAttr());
    }

    /** The first body, or {@code null}. */
    public String body() {
        return element.elementText("body", element.namespace());
    }

    /** The body in the given language, falling back to the first body. */
    public String body(String lang) {
        for (XmlElement b : element.elements("body", element.namespace())) {
            if (lang.equals(b.lang())) {
                return b.text();
            }
        }
        return body();
    }

    public String subject() {
        return element.elementText("subject", element.namespace());
    }

    public String thread() {
        return element.elementText("thread", element.namespace());
    }

    public static Builder builder() {
        return new Builder(Namespaces.CLIENT);
    }

    public static Builder builder(String namespace) {
        return new Builder(namespace);
    }

    /** Builds a message in a stanza namespace. */
    public static final class Builder extends Stanza.Builder<Builder> {
        private final String ns;

        Builder(String namespace) {
            super("message", namespace);
            this.ns = namespace;
        }

        /** Sets the type; {@link Type#NORMAL} writes no attribute. */
        public Builder type(Type type) {
            b.attr("type", type == null || type == Type.NORMAL ? null : type.value());
            return this;
        }

        public Builder body(String body) {
            b.textElement("body", ns, body);
            return this;
        }

        public Builder subject(String subject) {
            b.textElement("subject", ns, subject);
            return this;
        }

        public Builder thread(String thread) {
            b.textElement("thread", ns, thread);
            return this;
        }

        public Message build() {
            return new Message(b.build());
        }
    }
}
