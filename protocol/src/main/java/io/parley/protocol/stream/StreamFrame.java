package io.parley.protocol.stream;

import io.parley.protocol.xml.XmlElement;
import java.util.Objects;

/** What the stream decoder emits: whole frames only. */
public sealed interface StreamFrame {

    /**
     * The opening stream tag.
     *
     * @param header the {@code stream} element with its attributes and no children
     * @param contentNamespace the default namespace the header declared ({@code jabber:client},
     *     {@code jabber:server}, ...), or "" when it declared none
     */
    record Open(XmlElement header, String contentNamespace) implements StreamFrame {
        public Open {
            Objects.requireNonNull(header, "header");
            Objects.requireNonNull(contentNamespace, "contentNamespace");
        }

        public String attr(String name) {
            return header.attr(name);
        }
    }

    /** A complete top-level element: a stanza, or a negotiation element such as {@code <auth/>}. */
    record Element(XmlElement element) implements StreamFrame {
        public Element {
            Objects.requireNonNull(element, "element");
        }
    }

    /** The closing {@code </stream:stream>} tag. */
    enum Close implements StreamFrame {
        INSTANCE
    }

    /**
     * The input broke a rule; the decoder ignores everything after it. The connection answers
     * with a stream error of this condition and closes.
     */
    record Fault(StreamErrorCondition condition, String text) implements StreamFrame {
        public Fault {
            Objects.requireNonNull(condition, "condition");
        }

        public StreamError toStreamError() {
            return StreamError.of(condition, text);
        }
    }
}
