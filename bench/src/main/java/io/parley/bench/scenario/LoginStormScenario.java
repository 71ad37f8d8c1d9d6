package io.parley.bench.scenario;

import io.parley.bench.load.ClientHandle;
import io.parley.bench.load.Metrics;
import io.parley.bench.load.StanzaListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Login storm: each step opens sessions at a rate (connect, TLS, SASL, bind, roster, initial
 * presence; then logs out) and measures completed logins per second and login latency. Steps
 * rise until logins fail or p99 passes the bound. The headline is the highest rate completed
 * with no failure and p99 within the bound.
 */
public final class LoginStormScenario {

    public record Params(List<Integer> rates, int stepSeconds, int accounts, double p99BoundMs, int warmupSeconds) {
    }

    private LoginStormScenario() {
    }

    public static ScenarioResult run(Context ctx, Params p) throws Exception {
        Metrics metrics = new Metrics();
        List<Map<String, Object>> steps = new ArrayList<>();
        ScheduledFuture<?> sampler = ctx.sampleEverySecond(metrics, "login");
        double best = 0;
        long seq = 0;
        if (p.warmupSeconds() > 0 && !p.rates().isEmpty()) {
            // the same logins, unmeasured: JIT compilation and caches warm up before the steps
            int rate = p.rates().get(0);
            ctx.log.accept(ctx.target.name() + " login: warming up at " + rate + "/s for " + p.warmupSeconds() + " s");
            List<CompletableFuture<?>> warm = new ArrayList<>();
            long start = System.nanoTime();
            for (long i = 0; i < (long) rate * p.warmupSeconds(); i++) {
                long wait = start + (long) (i * 1e9 / rate) - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                int account = (int) (seq % p.accounts());
                ClientHandle c = ctx.connector.connect(ctx.target, ctx.accounts.user(account), ctx.accounts.password(account),
                        "warm" + seq++, false, true, StanzaListener.IGNORE);
                warm.add(c.ready().handle((jid, ex) -> {
                    c.close();
                    return null;
                }));
            }
            try {
                CompletableFuture.allOf(warm.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                // measured steps follow regardless
            }
        }
        try {
            for (int rate : p.rates()) {
                Histogram before = metrics.snapshot();
                long ok0 = metrics.received.sum();
                long err0 = metrics.errors.sum();
                List<CompletableFuture<?>> inFlight = new ArrayList<>();
                long start = System.nanoTime();
                long total = (long) rate * p.stepSeconds();
                for (long i = 0; i < total; i++) {
                    long due = start + (long) (i * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    int account = (int) (seq % p.accounts());
                    String resource = "storm" + seq++;
                    long t0 = System.nanoTime();
                    metrics.sent.increment();
                    ClientHandle c = ctx.connector.connect(ctx.target, ctx.accounts.user(account), ctx.accounts.password(account),
                            resource, false, true, StanzaListener.IGNORE);
                    inFlight.add(c.ready().handle((jid, ex) -> {
                        if (ex == null) {
                            metrics.latencyNanos(System.nanoTime() - t0);
                            metrics.received.increment();
                        } else {
                            metrics.errors.increment();
                        }
                        c.close();
                        return null;
                    }));
                }
                try {
                    CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                    // those still pending count as failures below
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                TimeUnit.MILLISECONDS.sleep(1100);
                Histogram h = metrics.snapshot();
                h.subtract(before);
                Metrics.Latency lat = Metrics.Latency.of(h);
                long ok = metrics.received.sum() - ok0;
                long failed = total - ok;
                Map<String, Object> step = new LinkedHashMap<>();
                step.put("targetRate", rate);
                step.put("attempted", total);
                step.put("loggedIn", ok);
                step.put("failed", failed);
                step.put("loginsPerSecond", ChatScenario.round(ok / seconds));
                step.put("p50Ms", lat.p50Ms());
                step.put("p99Ms", lat.p99Ms());
                step.put("maxMs", lat.maxMs());
                steps.add(step);
                ctx.log.accept(ctx.target.name() + " login step " + step + " (errors " + (metrics.errors.sum() - err0) + ")");
                if (failed == 0 && lat.p99Ms() <= p.p99BoundMs()) {
                    best = Math.max(best, ok / seconds);
                } else {
                    break;
                }
            }
        } finally {
            sampler.cancel(false);
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("rates", p.rates());
        params.put("stepSeconds", p.stepSeconds());
        params.put("accounts", p.accounts());
        params.put("p99BoundMs", p.p99BoundMs());
        params.put("warmupSeconds", p.warmupSeconds());
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("bestLoginsPerSecond", ChatScenario.round(best));
        summary.put("overall", metrics.overall());
        return new ScenarioResult("login", ctx.target.name(), params, summary, steps, metrics.timeline());
    }
}
