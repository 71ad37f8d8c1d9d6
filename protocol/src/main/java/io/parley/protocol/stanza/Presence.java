package io.parley.protocol.stanza;

import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.Locale;

/** A {@code <presence/>} stanza (RFC 6121 sections 3 and 4). */
public final class Presence extends Stanza {

    /** Presence types; absence of the attribute means {@link #AVAILABLE}. */
    public enum Type {
        AVAILABLE, UNAVAILABLE, SUBSCRIBE, SUBSCRIBED, UNSUBSCRIBE, UNSUBSCRIBED, PROBE, ERROR;

        /** The attribute value, or {@code null} for available. */
        public String value() {
            return this == AVAILABLE ? null : name().toLowerCase(Locale.ROOT);
        }

        /** The type for an attribute value, {@link #AVAILABLE} for null, {@code null} when unknown. */
        public static Type fromValue(String value) {
            if (value == null) {
                return AVAILABLE;
            }
            return switch (value) {
                case "unavailable" -> UNAVAILABLE;
                case "subscribe" -> SUBSCRIBE;
                case "subscribed" -> SUBSCRIBED;
                case "unsubscribe" -> UNSUBSCRIBE;
                case "unsubscribed" -> UNSUBSCRIBED;
                case "probe" -> PROBE;
                case "error" -> ERROR;
                default -> null;
            };
        }

        public boolean isSubscription() {
            return this == SUBSCRIBE || this == SUBSCRIBED || this == UNSUBSCRIBE || this == UNSUBSCRIBED;
        }
    }

    /** The {@code <show/>} values (RFC 6121 section 4.7.2.1). */
    public enum Show {
        AWAY, CHAT, DND, XA;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The show for a value, or {@code null} when absent or unknown. */
        public static Show fromValue(String value) {
            if (value == null) {
                return null;
            }
            return switch (value) {
                case "away" -> AWAY;
                case "chat" -> CHAT;
                case "dnd" -> DND;
                case "xa" -> XA;
                default -> null;
            };
        }
    }

    Presence(XmlElement element) {
        super(element);
    }

    /** A view of a presence element. */
    public static Presence of(XmlElement element) {
        if (!element.name().equals("presence")) {
            throw new IllegalArgumentException("not a presence: " + element.name());
        }
        return new Presence(element);
    }

    /** The type, or {@code null} for an unknown type attribute. */
    public Type type() {
        return Type.fromValue(typeAttr());
    }

    /** The show value, or {@code null} (plain available). */
    public Show show() {
        return Show.fromValue(element.elementText("show", element.namespace()));
    }

    public String status() {
        return element.elementText("status", element.namespace());
    }

    /** The priority, -128 to 127; 0 when absent or not an integer in range (RFC 6121 section 4.7.2.3). */
    public int priority() {
        String p = element.elementText("priority", element.namespace());
        if (p == null) {
            return 0;
        }
        try {
            int v = Integer.parseInt(p.trim());
            return v < -128 || v > 127 ? 0 : v;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public static Builder builder() {
        return new Builder(Namespaces.CLIENT);
    }

    public static Builder builder(String namespace) {
        return new Builder(namespace);
    }

    /** Builds a presence in a stanza namespace. */
    public static final class Builder extends Stanza.Builder<Builder> {
        private final String ns;

        Builder(String namespace) {
            super("presence", namespace);
            this.ns = namespace;
        }

        public Builder type(Type type) {
            b.attr("type", type == null ? null : type.value());
            return this;
        }

        public Builder show(Show show) {
            b.textElement("show", ns, show == null ? null : show.value());
            return this;
        }

        public Builder status(String status) {
            b.textElement("status", ns, status);
            return this;
        }

        public Builder priority(int priority) {
            if (priority < -128 || priority > 127) {
                throw new IllegalArgumentException("priority must be -128..127: " + priority);
            }
            b.textElement("priority", ns, Integer.toString(priority));
            return this;
        }

        public Presence build() {
            return new Presence(b.build());
        }
    }
}
