package io.parley.bench.jmh;

import com.fasterxml.aalto.AsyncByteArrayFeeder;
import com.fasterxml.aalto.AsyncXMLStreamReader;
import com.fasterxml.aalto.stax.InputFactoryImpl;
import io.parley.protocol.stream.StreamFrame;
import io.parley.protocol.stream.XmppStreamDecoder;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import io.parley.protocol.xml.XmlWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.xml.stream.XMLStreamException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The stream codec on one core: stanzas per second through the decoder (bytes to XmlElements,
 * fed in 4 KiB reads as TCP delivers them), through the serialiser, and decode + readdress +
 * encode as routing does; raw Aalto token scanning of the same bytes, building nothing, is the
 * ceiling. Each invocation processes {@link #STANZAS} stanzas, so JMH's ops/s are stanzas/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
public class XmlCodecBenchmark {

    public static final int STANZAS = 2000;
    static final int READ = 4096;

    @Param({"mix", "chat"})
    public String corpus;

    private Corpus data;
    private final List<StreamFrame> frames = new ArrayList<>(STANZAS + 2);
    private final XmlWriter writer = new XmlWriter(true, 1 << 20);
    private final InputFactoryImpl aalto = new InputFactoryImpl();
    private final byte[] scratch = new byte[READ];

    @Setup(Level.Trial)
    public void setUp() {
        data = corpus.equals("chat") ? Corpus.chat(STANZAS, 42) : Corpus.mix(STANZAS, 42);
    }

    /** Bytes to frames, as the connection's codec stage does it. */
    @Benchmark
    @OperationsPerInvocation(STANZAS)
    public int decode() {
        XmppStreamDecoder d = new XmppStreamDecoder();
        frames.clear();
        byte[] b = data.bytes;
        for (int pos = 0; pos < b.length; pos += READ) {
            d.feed(b, pos, Math.min(READ, b.length - pos), frames);
        }
        return frames.size();
    }

    /** Elements to bytes. */
    @Benchmark
    @OperationsPerInvocation(STANZAS)
    public int encode() {
        writer.reset();
        for (XmlElement e : data.stanzas) {
            writer.element(e, Namespaces.CLIENT);
        }
        return writer.size();
    }

    /** Decode, stamp {@code from} as the router does, encode for the recipient. */
    @Benchmark
    @OperationsPerInvocation(STANZAS)
    public int route() {
        XmppStreamDecoder d = new XmppStreamDecoder();
        frames.clear();
        writer.reset();
        byte[] b = data.bytes;
        for (int pos = 0; pos < b.length; pos += READ) {
            d.feed(b, pos, Math.min(READ, b.length - pos), frames);
            for (StreamFrame f : frames) {
                if (f instanceof StreamFrame.Element e) {
                    writer.element(e.element().withAttr("from", "sender@example.com/phone"), Namespaces.CLIENT);
                }
            }
            frames.clear();
        }
        return writer.size();
    }

    /** The ceiling: Aalto's non-blocking scanner over the same bytes, reading every token, building nothing. */
    @Benchmark
    @OperationsPerInvocation(STANZAS)
    public void aaltoRawScan(Blackhole bh) throws XMLStreamException {
        AsyncXMLStreamReader<AsyncByteArrayFeeder> r = aalto.createAsyncForByteArray();
        byte[] b = data.bytes;
        int pos = 0;
        while (true) {
            int ev = r.next();
            if (ev == AsyncXMLStreamReader.EVENT_INCOMPLETE) {
                if (pos >= b.length) {
                    break;
                }
                int n = Math.min(READ, b.length - pos);
                System.arraycopy(b, pos, scratch, 0, n);
                r.getInputFeeder().feedInput(scratch, 0, n);
                pos += n;
            } else {
                bh.consume(ev);
            }
        }
    }
}
