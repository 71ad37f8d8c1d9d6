package io.parley.protocol.stream;

import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.Objects;

/**
 * A stream error (RFC 6120 section 4.9): a condition, optional human-readable text and, for
 * {@code see-other-host}, the alternate host as the condition's text content.
 */
public record StreamError(StreamErrorCondition condition, String text, String otherHost) {

    public StreamError {
        Objects.requireNonNull(condition, "condition");
    }

    public static StreamError of(StreamErrorCondition condition) {
        return new StreamError(condition, null, null);
    }

    public static StreamError of(StreamErrorCondition condition, String text) {
        return new StreamError(condition, text, null);
    }

    public static StreamError seeOtherHost(String host) {
        return new StreamError(StreamErrorCondition.SEE_OTHER_HOST, null, host);
    }

    /** The {@code <stream:error/>} element. */
    public XmlElement toElement() {
        XmlElement.Builder cond = XmlElement.builder(condition.elementName(), Namespaces.STREAM_ERRORS);
        if (condition == StreamErrorCondition.SEE_OTHER_HOST) {
            cond.text(otherHost);
        }
        return XmlElement.builder("error", Namespaces.STREAMS)
                .child(cond.build())
                .child(text == null ? null : XmlElement.builder("text", Namespaces.STREAM_ERRORS)
                        .attr(Namespaces.XML, "lang", "en").text(text).build())
                .build();
    }

    /** Reads a received {@code <stream:error/>}; unknown conditions read as undefined-condition. */
    public static StreamError fromElement(XmlElement error) {
        StreamErrorCondition condition = StreamErrorCondition.UNDEFINED_CONDITION;
        String host = null;
        for (XmlElement child : error.elements()) {
            if (child.namespace().equals(Namespaces.STREAM_ERRORS) && !child.name().equals("text")) {
                StreamErrorCondition c = StreamErrorCondition.fromElementName(child.name());
                if (c != null) {
                    condition = c;
                    if (c == StreamErrorCondition.SEE_OTHER_HOST) {
                        host = child.text();
                    }
                    break;
                }
            }
        }
        return new StreamError(condition, error.elementText("text", Namespaces.STREAM_ERRORS), host);
    }

    /** True when the element is a {@code <stream:error/>}. */
    public static boolean isStreamError(XmlElement element) {
        return element.is("error", Namespaces.STREAMS);
    }
}
