package io.parley.protocol.stream;

import io.parley.protocol.xml.XmlElement;
import java.util.Objects;

/** What a connection writes through {@link XmppCodec}. */
public sealed interface OutboundFrame {

    /** An XML declaration and the opening stream tag with the header's attributes. */
    record Open(XmlElement header, String contentNamespace) implements OutboundFrame {
        public Open {
            Objects.requireNonNull(header, "header");
            Objects.requireNonNull(contentNamespace, "contentNamespace");
        }
    }

    /** One top-level element, serialised in the stream's content namespace. */
    record Element(XmlElement element) implements OutboundFrame {
        public Element {
            Objects.requireNonNull(element, "element");
        }
    }

    /** The closing {@code </stream:stream>} tag. */
    enum Close implements OutboundFrame {
        INSTANCE
    }

    /** A single space: a whitespace keepalive (RFC 6120 section 4.6.1). */
    enum Whitespace implements OutboundFrame {
        INSTANCE
    }

    /**
     * Resets the inbound decoder for a stream restart. It takes effect synchronously, before any
     * frame written after it leaves, so write it just before {@code <proceed/>} or
     * {@code <success/>} (server side) or before the new stream header (client side).
     */
    enum ResetParser implements OutboundFrame {
        INSTANCE
    }

    /**
     * Arms TLS in a {@link StartTlsStage} below the codec: the codec emits
     * {@link XmppCodec#START_TLS}, in order with the bytes around it. A server writes it after
     * {@link ResetParser} and before {@code <proceed/>} (the stage keeps writing plaintext until
     * the peer's handshake arrives); a client writes it after reading {@code <proceed/>} (its
     * stage starts the handshake at once).
     */
    enum StartTls implements OutboundFrame {
        INSTANCE
    }

    static OutboundFrame element(XmlElement e) {
        return new Element(e);
    }
}
