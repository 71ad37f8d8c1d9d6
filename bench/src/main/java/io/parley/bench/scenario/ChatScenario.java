package io.parley.bench.scenario;

import io.parley.bench.load.ClientHandle;
import io.parley.bench.load.Metrics;
import io.parley.bench.load.StanzaListener;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Steady one-to-one chat: {@code pairs} sender/receiver pairs online; each step sends at a total
 * rate for a while, every message to the partner's bare JID carrying its send time, and measures
 * delivered messages per second and end-to-end latency (HdrHistogram) and loss. Steps rise
 * until p99 passes four times the bound or loss passes 5%. The headline is the highest delivered
 * rate whose p99 stayed within the bound ({@code p99BoundMs}, 50 ms) with no loss.
 * <p>With the server's process ids known (one per node for a cluster), each step also reports the
 * CPU the server used: cores busy, and milliseconds of CPU per delivered message once the CPU the
 * idle server uses (measured for 5 s before the first step) is taken off. On a cluster that
 * figure, against one node's, gives the CPU cost of a message crossing between nodes.
 */
public final class ChatScenario {

    public record Params(int pairs, List<Integer> rates, int stepSeconds, double p99BoundMs, int loginRate) {
    }

    private ChatScenario() {
    }

    public static ScenarioResult run(Context ctx, Params p) throws Exception {
        Metrics metrics = new Metrics();
        StanzaListener listener = (client, stanza) -> {
            if (stanza.name().equals("message")) {
                Pacing.timedMessage(metrics, stanza);
            }
        };
        ctx.log.accept(ctx.target.name() + " chat: logging in " + 2 * p.pairs() + " clients");
        List<ClientHandle> clients = ctx.open(0, 2 * p.pairs(), p.loginRate(), "chat", true, listener);
        if (clients.size() < 2 * p.pairs()) {
            ctx.log.accept(ctx.target.name() + " chat: only " + clients.size() + " clients logged in");
        }
        int pairs = clients.size() / 2;
        if (pairs == 0) {
            Context.closeAll(clients);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("bestDeliveredPerSecondWithinBound", 0.0);
            summary.put("error", "no client could log in");
            return new ScenarioResult("chat", ctx.target.name(), Map.of("pairs", 0), summary, List.of(), metrics.timeline());
        }
        List<Map<String, Object>> steps = new ArrayList<>();
        ScheduledFuture<?> sampler = ctx.sampleEverySecond(metrics, "chat");
        double best = 0;
        double idleCores = idleCores(ctx);
        try {
            for (int rate : p.rates()) {
                Pacing.Measured m = Pacing.measure(ctx, metrics, () -> send(ctx, clients, pairs, rate, p.stepSeconds(), metrics));
                Metrics.Latency lat = m.latency();
                long recv = m.received();
                double seconds = m.seconds();
                double loss = m.loss();
                Map<String, Object> step = new LinkedHashMap<>();
                step.put("targetRate", rate);
                step.put("sent", m.sent());
                step.put("delivered", recv);
                step.put("errors", m.errors());
                step.put("deliveredPerSecond", round(recv / seconds));
                step.put("loss", round(loss));
                step.put("p50Ms", lat.p50Ms());
                step.put("p95Ms", lat.p95Ms());
                step.put("p99Ms", lat.p99Ms());
                step.put("maxMs", lat.maxMs());
                if (m.serverCores() >= 0 && recv > 0) {
                    step.put("serverCpuCores", round(m.serverCores()));
                    step.put("serverCpuMsPerMessage", Math.round((m.serverCores() - idleCores) * seconds * 1000 / recv * 1000) / 1000.0);
                }
                steps.add(step);
                ctx.log.accept(ctx.target.name() + " chat step " + step);
                if (lat.p99Ms() <= p.p99BoundMs() && loss < 0.001) {
                    best = Math.max(best, recv / seconds);
                }
                if (lat.p99Ms() > 4 * p.p99BoundMs() || loss > 0.05) {
                    break;
                }
            }
        } finally {
            sampler.cancel(false);
            Context.closeAll(clients);
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("pairs", pairs);
        params.put("rates", p.rates());
        params.put("stepSeconds", p.stepSeconds());
        params.put("p99BoundMs", p.p99BoundMs());
        params.put("nodes", ctx.target.ports().size());
        params.put("placement", ctx.target.placement());
        params.put("idleServerCpuCores", round(idleCores));
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("bestDeliveredPerSecondWithinBound", round(best));
        summary.put("overall", metrics.overall());
        return new ScenarioResult("chat", ctx.target.name(), params, summary, steps, metrics.timeline());
    }

    /**
     * Cores the logged-in but quiet server uses (gossip, timers, GC), over 5 s after 10 s for the
     * logins' after-work to end; 0 when unknown.
     */
    private static double idleCores(Context ctx) throws InterruptedException {
        if (ctx.target.pids().isEmpty()) {
            return 0;
        }
        TimeUnit.SECONDS.sleep(10);
        long before = ServerProbe.cpuMillis(ctx.target.pids());
        long t0 = System.nanoTime();
        TimeUnit.SECONDS.sleep(5);
        long after = ServerProbe.cpuMillis(ctx.target.pids());
        return before < 0 || after < 0 ? 0 : (after - before) / 1000.0 / ((System.nanoTime() - t0) / 1e9);
    }

    /** Sends at {@code rate} messages/s for {@code seconds}, in 10 ms ticks, senders in turn. */
    private static void send(Context ctx, List<ClientHandle> clients, int pairs, int rate, int seconds, Metrics metrics)
            throws InterruptedException {
        String domain = ctx.target.domain();
        Pacing.paced(rate, seconds, n -> {
            int i = (int) (n % pairs);
            ClientHandle from = clients.get(2 * i);
            ClientHandle to = clients.get(2 * i + 1);
            from.send(XmlElement.builder("message", Namespaces.CLIENT)
                    .attr("to", to.jid().bare().toString()).attr("type", "chat").attr("id", "m" + n)
                    .textElement("body", Namespaces.CLIENT, "t=" + System.nanoTime() + " hello from the bench " + domain)
                    .build());
            metrics.sent.increment();
        });
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
