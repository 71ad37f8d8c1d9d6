package io.parley.bench.scenario;

import akka.actor.typed.ActorSystem;
import io.parley.bench.load.Accounts;
import io.parley.bench.load.ClientHandle;
import io.parley.bench.load.Connector;
import io.parley.bench.load.Metrics;
import io.parley.bench.load.StanzaListener;
import io.parley.bench.load.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** What scenarios share: the target, the connector, the accounts, a clock for pacing, a progress log. */
public final class Context {

    final ActorSystem<?> system;
    final Connector connector;
    final Accounts accounts;
    final Target target;
    final Consumer<String> log;
    /** The SCRAM key cache file helper load processes read (or null). */
    final java.nio.file.Path scramCache;
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-timer");
        t.setDaemon(true);
        return t;
    });

    public Context(ActorSystem<?> system, Connector connector, Accounts accounts, Target target, Consumer<String> log) {
        this(system, connector, accounts, target, log, null);
    }

    public Context(ActorSystem<?> system, Connector connector, Accounts accounts, Target target, Consumer<String> log,
                   java.nio.file.Path scramCache) {
        this.scramCache = scramCache;
        this.system = system;
        this.connector = connector;
        this.accounts = accounts;
        this.target = target;
        this.log = log;
    }

    public Target target() {
        return target;
    }

    /** Samples the metrics every second while the returned handle is not cancelled. */
    ScheduledFuture<?> sampleEverySecond(Metrics metrics, String label) {
        return timer.scheduleAtFixedRate(() -> {
            Metrics.Sample s = metrics.sample();
            log.accept(String.format("%s %s t=%.0fs sent=%d recv=%d err=%d p99=%.1fms", target.name(), label,
                    s.seconds(), s.sent(), s.received(), s.errors(), s.p99Ms()));
        }, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * Opens sessions for accounts {@code from..to-1} at {@code perSecond}, waits for each to be ready
     * (bounded), and returns those that made it.
     */
    List<ClientHandle> open(int from, int to, int perSecond, String resource, boolean presence, StanzaListener listener)
            throws InterruptedException {
        List<ClientHandle> all = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = from; i < to; i++) {
            long due = start + (long) ((i - from) * 1e9 / perSecond);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            all.add(connector.connect(target, target.portFor(i - from), accounts.user(i), accounts.password(i), resource, false,
                    presence, listener));
        }
        List<ClientHandle> ready = new ArrayList<>();
        java.util.Map<String, Integer> failures = new java.util.TreeMap<>();
        // one deadline for all: waiting 60 s per client in turn could take hours when many hang
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int k = 0; k < all.size(); k++) {
            ClientHandle c = all.get(k);
            try {
                c.ready().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                ready.add(c);
            } catch (Exception e) {
                Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
                StringBuilder why = new StringBuilder(String.valueOf(cause));
                for (Throwable t = cause.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
                    why.append(" <- ").append(t);
                }
                failures.merge("port " + target.portFor(k) + ": " + why, 1, Integer::sum);
                c.close();
            }
        }
        failures.forEach((why, n) -> log.accept(target.name() + ": " + n + " client(s) failed to log in, " + why));
        return ready;
    }

    /** Closes clients and waits (bounded) for their connections to end. */
    static void closeAll(List<ClientHandle> clients) {
        clients.forEach(ClientHandle::close);
        CompletableFuture<?>[] closing = clients.stream().map(c -> c.closed().exceptionally(e -> null)).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(closing).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            // some did not close in time; their sockets go with the process
        }
    }
}
