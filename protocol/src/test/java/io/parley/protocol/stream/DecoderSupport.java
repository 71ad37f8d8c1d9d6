package io.parley.protocol.stream;

import akka.util.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Helpers shared by the decoder tests. */
final class DecoderSupport {

    static final String HEADER = "<?xml version='1.0'?><stream:stream xmlns='jabber:client'"
            + " xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'>";

    private DecoderSupport() {
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static List<StreamFrame> decode(StreamLimits limits, byte[] input, int... cuts) {
        XmppStreamDecoder d = new XmppStreamDecoder(limits);
        List<StreamFrame> out = new ArrayList<>();
        int prev = 0;
        for (int cut : cuts) {
            d.feed(ByteString.fromArray(input, prev, cut - prev), out);
            prev = cut;
        }
        d.feed(ByteString.fromArray(input, prev, input.length - prev), out);
        return out;
    }

    static List<StreamFrame> decode(String input) {
        return decode(StreamLimits.DEFAULTS, utf8(input));
    }

    static StreamFrame.Fault lastFault(List<StreamFrame> frames) {
        if (frames.isEmpty() || !(frames.get(frames.size() - 1) instanceof StreamFrame.Fault f)) {
            throw new AssertionError("expected a fault as the last frame, got " + frames);
        }
        return f;
    }
}
