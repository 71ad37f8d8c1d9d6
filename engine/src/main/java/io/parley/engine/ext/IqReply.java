package io.parley.engine.ext;

import io.parley.protocol.xml.XmlElement;
import java.util.List;

/**
 * What a handler answers: the reply stanza, stanzas to send right after it (roster pushes after
 * a versioned roster result), and whether the stream closes afterwards (an account removed).
 */
public record IqReply(XmlElement stanza, List<XmlElement> followUps, boolean closeStream) {

    public IqReply {
        followUps = List.copyOf(followUps);
    }

    public static IqReply of(XmlElement stanza) {
        return new IqReply(stanza, List.of(), false);
    }
}
