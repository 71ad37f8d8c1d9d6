package io.parley.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.protocol.stream.StreamFrame;
import io.parley.protocol.stream.XmppStreamDecoder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark measures what it claims: every stanza of the corpus decodes back to itself. */
class XmlCodecBenchmarkTest {

    @Test
    void corpusDecodesToItsStanzas() {
        for (Corpus c : List.of(Corpus.mix(500, 1), Corpus.chat(500, 2))) {
            List<StreamFrame> frames = new ArrayList<>();
            new XmppStreamDecoder().feed(c.bytes, 0, c.bytes.length, frames);
            assertThat(frames).hasSize(501);
            assertThat(frames.subList(1, 501)).extracting(f -> ((StreamFrame.Element) f).element())
                    .containsExactlyElementsOf(c.stanzas);
        }
    }

    @Test
    void benchmarksRunOnce() throws Exception {
        XmlCodecBenchmark b = new XmlCodecBenchmark();
        b.corpus = "mix";
        b.setUp();
        assertThat(b.decode()).isEqualTo(XmlCodecBenchmark.STANZAS + 1);
        assertThat(b.encode()).isGreaterThan(XmlCodecBenchmark.STANZAS * 50);
        assertThat(b.route()).isGreaterThan(b.encode());
    }
}
