package io.parley.bench.jmh;

import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import io.parley.engine.Extensions;
import io.parley.engine.config.ConfigLoader;
import io.parley.engine.config.ParleySettings;
import io.parley.engine.ext.ExtensionRegistry;
import io.parley.engine.ext.Services;
import io.parley.engine.ext.SessionContext;
import io.parley.engine.ext.blocking.BlockingExtension;
import io.parley.engine.ext.vcard.VCardExtension;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.xml.XmlElement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The session's stanza hooks on the hot path: every chat message a client sends passes the node's
 * standard inbound chain (blocking's check against a block list of 20, the vCard hook that only
 * looks at presence) and every stanza written to it the outbound chain (empty today). Each
 * invocation runs {@link XmlCodecBenchmark#STANZAS} chat stanzas, so ops/s are stanzas/s; run
 * with the GC profiler ({@link HooksReport}) it shows what the chains allocate per stanza: nothing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
public class SessionHooksBenchmark {

    private ExtensionRegistry registry;
    private XmlElement[] stanzas;
    private Jid[] to;
    private XmlElement presence;
    private final Session session = new Session();

    @Setup(Level.Trial)
    public void setUp() {
        ParleySettings settings = ParleySettings.from(ConfigLoader.load(ConfigFactory.empty()));
        registry = Extensions.registry(settings);
        Corpus chat = Corpus.chat(XmlCodecBenchmark.STANZAS, 42);
        stanzas = new XmlElement[chat.stanzas.size()];
        to = new Jid[stanzas.length];
        for (int i = 0; i < stanzas.length; i++) {
            stanzas[i] = chat.stanzas.get(i).withAttr("from", "sender@example.com/phone");
            to[i] = Jid.ofOrNull(stanzas[i].attr("to"));
        }
        Set<Jid> blocked = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            blocked.add(Jid.of("spammer" + i + "@elsewhere.example"));
        }
        session.put(BlockingExtension.BLOCKED, BlockingExtension.Blocked.of(blocked));
        session.put(VCardExtension.AVATAR_HASH, "");
        presence = XmlElement.builder("presence", "jabber:client").attr("from", "sender@example.com/phone")
                .textElement("show", "jabber:client", "away").build();
    }

    /** A client's chat messages through the inbound chain, as EstablishedSession runs it. */
    @Benchmark
    @OperationsPerInvocation(XmlCodecBenchmark.STANZAS)
    public void inboundChat(Blackhole bh) {
        for (int i = 0; i < stanzas.length; i++) {
            bh.consume(registry.run(ExtensionRegistry.Direction.INBOUND, session, stanzas[i], to[i]));
        }
    }

    /** Stanzas for the client through the outbound chain. */
    @Benchmark
    @OperationsPerInvocation(XmlCodecBenchmark.STANZAS)
    public void outboundChat(Blackhole bh) {
        for (int i = 0; i < stanzas.length; i++) {
            bh.consume(registry.run(ExtensionRegistry.Direction.OUTBOUND, session, stanzas[i], null));
        }
    }

    /** Broadcast presence through the inbound chain (no avatar: the vCard hook passes it unchanged). */
    @Benchmark
    @OperationsPerInvocation(XmlCodecBenchmark.STANZAS)
    public void inboundPresence(Blackhole bh) {
        for (int i = 0; i < XmlCodecBenchmark.STANZAS; i++) {
            bh.consume(registry.run(ExtensionRegistry.Direction.INBOUND, session, presence, null));
        }
    }

    /** A session as hooks see it, with nothing behind it. */
    static final class Session implements SessionContext {
        private final Map<Key<?>, Object> attributes = new HashMap<>();

        @Override
        public Jid jid() {
            return Jid.of("sender@example.com/phone");
        }

        @Override
        public String remoteAddress() {
            return "127.0.0.1";
        }

        @Override
        public boolean secure() {
            return true;
        }

        @Override
        public Services services() {
            throw new UnsupportedOperationException();
        }

        @Override
        public ActorRef<ConnectionMessage> self() {
            throw new UnsupportedOperationException();
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T get(Key<T> key) {
            return (T) attributes.get(key);
        }

        @Override
        public <T> void put(Key<T> key, T value) {
            attributes.put(key, value);
        }

        @Override
        public void send(XmlElement stanza) {
        }

        @Override
        public void flag(String flag) {
        }

        @Override
        public boolean hasFlag(String flag) {
            return false;
        }

        @Override
        public <T> void whenDone(CompletionStage<T> stage, BiConsumer<T, Throwable> then) {
        }

        @Override
        public void watch(ActorRef<?> actor, Runnable onStop) {
        }

        @Override
        public void unwatch(ActorRef<?> actor) {
        }

        @Override
        public boolean closing() {
            return false;
        }
    }
}
