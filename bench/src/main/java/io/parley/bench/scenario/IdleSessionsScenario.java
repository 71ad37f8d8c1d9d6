package io.parley.bench.scenario;

import io.parley.bench.load.ClientHandle;
import io.parley.bench.load.Metrics;
import io.parley.bench.load.StanzaListener;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Idle sessions held: opens authenticated TLS sessions (roster fetched, presence sent) and holds
 * them; reports how many were held and the server's memory per session: resident set growth
 * and, for a JVM, heap growth after a full GC, divided by the sessions held, and which classes
 * grew. With {@code settle > 0} it measures again after the sessions sat idle that much longer
 * (what a server keeps for connected, quiet users once it has tidied up). Its accounts start at {@code first}: accounts no other scenario touched, so what a
 * logged-in user costs the server (its entities, its roster) counts too.
 */
public final class IdleSessionsScenario {

    /** @param procs load processes holding the sessions: this one and {@code procs - 1} helpers */
    public record Params(int sessions, int loginRate, int holdSeconds, int first, int settleSeconds, int procs) {
        public Params(int sessions, int loginRate, int holdSeconds, int first, int settleSeconds) {
            this(sessions, loginRate, holdSeconds, first, settleSeconds, 1);
        }
    }

    /**
     * The helper side of {@code procs > 1}: opens accounts {@code first..first+count-1}, prints
     * {@code held N}, answers {@code count} lines, and closes all on {@code close} or end of input.
     */
    public static void holdForParent(Context ctx, int first, int count, int rate, java.io.InputStream commands,
                                     java.io.PrintStream answers) throws Exception {
        List<ClientHandle> held = ctx.open(first, first + count, rate, "idle", true, StanzaListener.IGNORE);
        answers.println("held " + held.size());
        answers.flush();
        java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(commands, java.nio.charset.StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.equals("close")) {
            if (line.equals("count")) {
                answers.println("held " + stillHeld(held, List.of()));
                answers.flush();
            }
        }
        Context.closeAll(held);
    }

    /** Sessions still open, in this process and in its helpers. */
    private static long stillHeld(List<ClientHandle> held, List<LoadHelper> helpers) throws java.io.IOException {
        return held.stream().filter(c -> !c.closed().isDone()).count() + helpersHolding(helpers, false);
    }

    private static long helpersHolding(List<LoadHelper> helpers, boolean first) throws java.io.IOException {
        long n = 0;
        for (LoadHelper h : helpers) {
            n += Math.max(0, first ? h.held() : h.count());
        }
        return n;
    }

    private IdleSessionsScenario() {
    }

    private static long perSession(long beforeKb, long afterKb, long sessions) {
        return beforeKb < 0 || afterKb < 0 || sessions <= 0 ? -1 : (afterKb - beforeKb) * 1024 / sessions;
    }

    public static ScenarioResult run(Context ctx, Params p) throws Exception {
        long pid = ctx.target.pid();
        boolean jvm = ctx.target.jvm();
        long heap0 = jvm ? ServerProbe.heapAfterGcKb(pid) : -1;
        Map<String, long[]> histogram0 = jvm ? ServerProbe.classHistogram(pid) : Map.of();
        long rss0 = ServerProbe.rssKb(pid);
        ctx.log.accept(ctx.target.name() + " idle: before rss=" + rss0 + "K heap=" + heap0 + "K; opening " + p.sessions());
        long start = System.nanoTime();
        List<double[]> rssTimeline = Collections.synchronizedList(new ArrayList<>());
        Runnable sampleRss = () -> rssTimeline.add(new double[] {(System.nanoTime() - start) / 1e9, ServerProbe.rssKb(pid)});
        ScheduledFuture<?> rssSampler = ctx.timer.scheduleAtFixedRate(sampleRss, 0, 1, TimeUnit.SECONDS);
        List<ClientHandle> held;
        double openSeconds;
        // with procs > 1 the sessions are shared out: this process opens the first share, each
        // helper process (its own open-file limit, its own source addresses) one of the others
        int procs = Math.max(1, p.procs());
        int share = p.sessions() / procs;
        int own = p.sessions() - share * (procs - 1);
        int rate = Math.max(1, p.loginRate() / procs);
        List<LoadHelper> helpers = new ArrayList<>();
        long helperHeld = 0;
        try {
            for (int k = 1; k < procs; k++) {
                helpers.add(LoadHelper.start(ctx, p.first() + own + (k - 1) * share, share, rate,
                        ctx.connector.firstSource() + k * ctx.connector.sourceAddresses()));
            }
            try {
                held = ctx.open(p.first(), p.first() + own, procs > 1 ? rate : p.loginRate(), "idle", true, StanzaListener.IGNORE);
                helperHeld = helpersHolding(helpers, true);
                if (!helpers.isEmpty()) {
                    ctx.log.accept(ctx.target.name() + " idle: this process holds " + held.size() + ", "
                            + helpers.size() + " helper processes " + helperHeld);
                }
                openSeconds = (System.nanoTime() - start) / 1e9;
                TimeUnit.SECONDS.sleep(p.holdSeconds());
            } finally {
                rssSampler.cancel(false);
            }
        } catch (Exception e) {
            helpers.forEach(LoadHelper::close);
            throw e;
        }
        long alive = stillHeld(held, helpers);
        long rss1 = ServerProbe.rssKb(pid);
        long heap1 = jvm ? ServerProbe.heapAfterGcKb(pid) : -1;
        // the classes' growth is taken at the last measurement: now, or after the settle period
        Map<String, long[]> histogram2 = jvm && p.settleSeconds() <= 0 ? ServerProbe.classHistogram(pid) : Map.of();
        ctx.log.accept(ctx.target.name() + " idle: held " + alive + " rss=" + rss1 + "K heap=" + heap1 + "K");
        long settledAlive = -1;
        long rss2 = -1;
        long heap2 = -1;
        if (p.settleSeconds() > 0) {
            // idle for a while: what the server keeps for sessions that stay connected and quiet
            ScheduledFuture<?> settleSampler = ctx.timer.scheduleAtFixedRate(sampleRss, 0, 1, TimeUnit.SECONDS);
            try {
                TimeUnit.SECONDS.sleep(p.settleSeconds());
            } finally {
                settleSampler.cancel(false);
            }
            settledAlive = stillHeld(held, helpers);
            rss2 = ServerProbe.rssKb(pid);
            heap2 = jvm ? ServerProbe.heapAfterGcKb(pid) : -1;
            histogram2 = jvm ? ServerProbe.classHistogram(pid) : Map.of();
            ctx.log.accept(ctx.target.name() + " idle: after " + p.settleSeconds() + " s still held " + settledAlive
                    + " rss=" + rss2 + "K heap=" + heap2 + "K");
        }
        List<String> classes = jvm ? ServerProbe.growth(histogram0, histogram2, alive, 30) : List.of();
        Context.closeAll(held);
        helpers.forEach(LoadHelper::close);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("sessions", p.sessions());
        params.put("loginRate", p.loginRate());
        params.put("holdSeconds", p.holdSeconds());
        params.put("settleSeconds", p.settleSeconds());
        params.put("firstAccount", p.first());
        params.put("loadProcesses", procs);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("held", alive);
        summary.put("openSeconds", ChatScenario.round(openSeconds));
        summary.put("rssBeforeKb", rss0);
        summary.put("rssAfterKb", rss1);
        synchronized (rssTimeline) {
            summary.put("rssTimeline", new ArrayList<>(rssTimeline));
        }
        summary.put("rssPerSessionBytes", perSession(rss0, rss1, alive));
        if (jvm) {
            summary.put("heapBeforeKb", heap0);
            summary.put("heapAfterKb", heap1);
            summary.put("heapPerSessionBytes", perSession(heap0, heap1, alive));
        }
        if (p.settleSeconds() > 0) {
            summary.put("settledHeld", settledAlive);
            summary.put("settledRssKb", rss2);
            summary.put("settledRssPerSessionBytes", perSession(rss0, rss2, settledAlive));
            if (jvm) {
                summary.put("settledHeapKb", heap2);
                summary.put("settledHeapPerSessionBytes", perSession(heap0, heap2, settledAlive));
            }
        }
        if (jvm) {
            summary.put("topClasses", classes);
        }
        return new ScenarioResult("idle", ctx.target.name(), params, summary, List.of(), new Metrics().timeline());
    }
}
