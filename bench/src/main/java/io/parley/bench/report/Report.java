package io.parley.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.parley.bench.load.Metrics;
import io.parley.bench.scenario.ScenarioResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A bench run's results: {@code report.json} (everything) and {@code report.html}, one page with
 * no external resources: a comparison table (Parley against each peer), throughput-over-time and
 * latency charts as inline SVG, and the per-step tables.
 */
public final class Report {

    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd"};

    /** A headline number: which summary key, and whether more is better. */
    private record Headline(String scenario, String key, String label, boolean higherIsBetter) {
    }

    private static final List<Headline> HEADLINES = List.of(
            new Headline("chat", "bestDeliveredPerSecondWithinBound", "one-to-one messages/s with p99 within bound", true),
            new Headline("login", "bestLoginsPerSecond", "logins/s (no failure, p99 within bound)", true),
            new Headline("presence", "deliveredPerSecond", "presence deliveries/s", true),
            new Headline("muc", "best10", "group chat deliveries/s, rooms of 10, p99 within bound", true),
            new Headline("muc", "best100", "group chat deliveries/s, rooms of 100, p99 within bound", true),
            new Headline("muc", "best1000", "group chat deliveries/s, rooms of 1,000, p99 within bound", true),
            new Headline("idle", "held", "idle sessions held", true),
            new Headline("idle", "rssPerSessionBytes", "RSS per idle TLS session (bytes)", false),
            new Headline("idle", "heapPerSessionBytes", "heap per idle TLS session after full GC (bytes)", false),
            new Headline("idle", "settledRssPerSessionBytes", "RSS per idle TLS session, settled (bytes)", false),
            new Headline("idle", "settledHeapPerSessionBytes", "heap per idle TLS session after full GC, settled (bytes)", false));

    private final Map<String, Object> machine;
    private final List<ScenarioResult> results;

    public Report(Map<String, Object> machine, List<ScenarioResult> results) {
        this.machine = machine;
        this.results = results;
    }

    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("machine", machine);
        json.put("comparison", comparison());
        json.put("results", results);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("report.json").toFile(), json);
        Files.writeString(dir.resolve("report.html"), html());
        Files.writeString(dir.resolve("comparison.md"), markdownTable());
    }

    private List<String> targets() {
        Set<String> t = new LinkedHashSet<>();
        results.forEach(r -> t.add(r.target()));
        return new ArrayList<>(t);
    }

    private Object value(String scenario, String target, String key) {
        for (ScenarioResult r : results) {
            if (r.scenario().equals(scenario) && r.target().equals(target)) {
                return r.summary().get(key);
            }
        }
        return null;
    }

    /** Rows: headline, value per target, and the ratio of the first target (Parley) to each other. */
    public List<Map<String, Object>> comparison() {
        List<String> targets = targets();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Headline h : HEADLINES) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("metric", h.label());
            boolean any = false;
            for (String t : targets) {
                Object v = value(h.scenario(), t, h.key());
                row.put(t, v);
                any |= v != null;
            }
            if (!any) {
                continue;
            }
            if (targets.size() > 1 && value(h.scenario(), targets.get(0), h.key()) instanceof Number first) {
                for (String peer : targets.subList(1, targets.size())) {
                    if (value(h.scenario(), peer, h.key()) instanceof Number p && p.doubleValue() != 0) {
                        row.put(targets.get(0) + "/" + peer, Math.round(first.doubleValue() / p.doubleValue() * 100) / 100.0);
                    }
                }
            }
            rows.add(row);
        }
        return rows;
    }

    public String markdownTable() {
        List<Map<String, Object>> rows = comparison();
        if (rows.isEmpty()) {
            return "";
        }
        List<String> cols = new ArrayList<>(rows.get(0).keySet());
        for (Map<String, Object> r : rows) {
            r.keySet().stream().filter(k -> !cols.contains(k)).forEach(cols::add);
        }
        StringBuilder b = new StringBuilder("| " + String.join(" | ", cols) + " |\n|");
        cols.forEach(c -> b.append(c.equals("metric") ? "---|" : "---:|"));
        b.append('\n');
        for (Map<String, Object> r : rows) {
            b.append("| ");
            for (String c : cols) {
                Object v = r.get(c);
                b.append(v == null ? "" : v instanceof Double d ? String.format(Locale.ROOT, "%,.2f", d)
                        : v instanceof Number n ? String.format(Locale.ROOT, "%,d", n.longValue()) : v).append(" | ");
            }
            b.append('\n');
        }
        return b.toString();
    }

    // ---- HTML -----------------------------------------------------------------------------------

    private String html() {
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html><head><meta charset='utf-8'><title>Parley bench</title><style>")
                .append("body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:1em 0}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th:first-child,td:first-child{text-align:left}")
                .append("h2{margin-top:2em}.legend span{margin-right:1.5em}</style></head><body>");
        h.append("<h1>Parley bench</h1><p>").append(esc(String.valueOf(machine))).append("</p>");
        h.append("<h2>Comparison</h2>").append(htmlTable(comparison()));
        List<String> targets = targets();
        h.append("<div class='legend'>");
        for (int i = 0; i < targets.size(); i++) {
            h.append("<span style='color:").append(COLORS[i % COLORS.length]).append("'>&#9632; ").append(esc(targets.get(i))).append("</span>");
        }
        h.append("</div>");
        Set<String> scenarios = new LinkedHashSet<>();
        results.forEach(r -> scenarios.add(r.scenario()));
        for (String s : scenarios) {
            h.append("<h2>").append(esc(s)).append("</h2>");
            List<List<double[]>> throughput = new ArrayList<>();
            List<List<double[]>> p99 = new ArrayList<>();
            for (String t : targets) {
                List<double[]> tp = new ArrayList<>();
                List<double[]> lat = new ArrayList<>();
                for (ScenarioResult r : results) {
                    if (r.scenario().equals(s) && r.target().equals(t)) {
                        for (Metrics.Sample x : r.timeline()) {
                            tp.add(new double[] {x.seconds(), x.received()});
                            lat.add(new double[] {x.seconds(), x.p99Ms()});
                        }
                    }
                }
                throughput.add(tp);
                p99.add(lat);
            }
            if (throughput.stream().anyMatch(l -> !l.isEmpty())) {
                h.append("<h3>Completed per second over time</h3>").append(lineChart(throughput, "s", "/s"));
                h.append("<h3>p99 latency per second (ms)</h3>").append(lineChart(p99, "s", "ms"));
            }
            charts(h, s, targets);
            for (ScenarioResult r : results) {
                if (r.scenario().equals(s)) {
                    h.append("<h3>").append(esc(r.target())).append("</h3><p>").append(esc(String.valueOf(r.params()))).append("</p>");
                    Map<String, Object> summary = new LinkedHashMap<>(r.summary());
                    Object classes = summary.remove("topClasses");
                    summary.remove("rssTimeline");
                    h.append(htmlTable(List.of(summary)));
                    if (!r.steps().isEmpty()) {
                        h.append(htmlTable(r.steps()));
                    }
                    if (classes instanceof List<?> l && !l.isEmpty()) {
                        h.append("<details><summary>heap growth by class after a full GC (per session held)</summary><pre>");
                        l.forEach(line -> h.append(esc(String.valueOf(line))).append('\n'));
                        h.append("</pre></details>");
                    }
                }
            }
        }
        return h.append("</body></html>").toString();
    }

    /** Per-scenario charts beyond the timelines: latency percentiles and memory. */
    private void charts(StringBuilder h, String scenario, List<String> targets) {
        List<String> pct = List.of("p50Ms", "p95Ms", "p99Ms", "maxMs");
        List<double[]> latencies = new ArrayList<>();
        List<List<double[]>> rss = new ArrayList<>();
        List<double[]> perSession = new ArrayList<>();
        boolean anyLatency = false;
        boolean anyMemory = false;
        for (String t : targets) {
            double[] lat = new double[pct.size()];
            double[] mem = new double[4];
            List<double[]> rssLine = new ArrayList<>();
            for (ScenarioResult r : results) {
                if (!r.scenario().equals(scenario) || !r.target().equals(t)) {
                    continue;
                }
                Object overall = r.summary().containsKey("overall") ? r.summary().get("overall") : r.summary().get("latency");
                if (overall instanceof Metrics.Latency l && l.count() > 0) {
                    lat = new double[] {l.p50Ms(), l.p95Ms(), l.p99Ms(), l.maxMs()};
                    anyLatency = true;
                }
                if (r.summary().get("rssPerSessionBytes") instanceof Number n) {
                    mem[0] = Math.max(0, n.doubleValue());
                    anyMemory = true;
                }
                if (r.summary().get("heapPerSessionBytes") instanceof Number n) {
                    mem[1] = Math.max(0, n.doubleValue());
                }
                if (r.summary().get("settledRssPerSessionBytes") instanceof Number n) {
                    mem[2] = Math.max(0, n.doubleValue());
                }
                if (r.summary().get("settledHeapPerSessionBytes") instanceof Number n) {
                    mem[3] = Math.max(0, n.doubleValue());
                }
                if (r.summary().get("rssTimeline") instanceof List<?> points) {
                    for (Object o : points) {
                        if (o instanceof double[] xy) {
                            rssLine.add(new double[] {xy[0], xy[1] / 1024});
                        }
                    }
                }
            }
            latencies.add(lat);
            perSession.add(mem);
            rss.add(rssLine);
        }
        if (anyLatency) {
            h.append("<h3>Latency percentiles over the whole run (ms)</h3>")
                    .append(barChart(List.of("p50", "p95", "p99", "max"), latencies, "ms"));
        }
        if (anyMemory) {
            h.append("<h3>Server memory per idle session (bytes)</h3>")
                    .append(barChart(List.of("RSS / session", "heap after GC / session", "RSS, settled", "heap, settled"), perSession, "B"));
        }
        if (rss.stream().anyMatch(l -> !l.isEmpty())) {
            h.append("<h3>Server resident memory while sessions open (MiB)</h3>").append(lineChart(rss, "s", "MiB"));
        }
    }

    /** Grouped bars: one group per label, one bar per target. */
    static String barChart(List<String> labels, List<double[]> valuesPerTarget, String unit) {
        int w = 900;
        int hgt = 260;
        int pad = 50;
        double max = 1;
        for (double[] v : valuesPerTarget) {
            for (double x : v) {
                max = Math.max(max, x);
            }
        }
        int groups = labels.size();
        int bars = Math.max(1, valuesPerTarget.size());
        double groupW = (w - pad - 10) / (double) groups;
        double barW = groupW * 0.8 / bars;
        StringBuilder b = new StringBuilder("<svg xmlns='http://www.w3.org/2000/svg' width='" + w + "' height='" + hgt + "'>");
        b.append("<line x1='").append(pad).append("' y1='").append(hgt - pad).append("' x2='").append(w - 10).append("' y2='")
                .append(hgt - pad).append("' stroke='#888'/>");
        for (int g = 0; g < groups; g++) {
            double x0 = pad + g * groupW + groupW * 0.1;
            b.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' font-size='11'>%s</text>", x0, hgt - pad + 16, esc(labels.get(g))));
            for (int t = 0; t < valuesPerTarget.size(); t++) {
                double v = valuesPerTarget.get(t)[g];
                double bh = v / max * (hgt - pad - 30);
                double x = x0 + t * barW;
                b.append(String.format(Locale.ROOT, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s'/>",
                        x, hgt - pad - bh, barW * 0.9, bh, COLORS[t % COLORS.length]));
                b.append(String.format(Locale.ROOT, "<text x='%.1f' y='%.1f' font-size='10'>%,.1f %s</text>",
                        x, hgt - pad - bh - 3, v, unit));
            }
        }
        return b.append("</svg>").toString();
    }

    private static String htmlTable(List<Map<String, Object>> rows) {
        if (rows.isEmpty()) {
            return "";
        }
        List<String> cols = new ArrayList<>();
        rows.forEach(r -> r.keySet().stream().filter(k -> !cols.contains(k)).forEach(cols::add));
        StringBuilder b = new StringBuilder("<table><tr>");
        cols.forEach(c -> b.append("<th>").append(esc(c)).append("</th>"));
        b.append("</tr>");
        for (Map<String, Object> r : rows) {
            b.append("<tr>");
            for (String c : cols) {
                Object v = r.get(c);
                b.append("<td>").append(v == null ? "" : esc(v instanceof Double d ? String.format(Locale.ROOT, "%,.2f", d)
                        : v instanceof Number n ? String.format(Locale.ROOT, "%,d", n.longValue()) : String.valueOf(v))).append("</td>");
            }
            b.append("</tr>");
        }
        return b.append("</table>").toString();
    }

    /** A plain SVG line chart, one line per target. */
    static String lineChart(List<List<double[]>> series, String xUnit, String yUnit) {
        int w = 900;
        int hgt = 260;
        int pad = 50;
        double maxX = 1;
        double maxY = 1;
        for (List<double[]> s : series) {
            for (double[] p : s) {
                maxX = Math.max(maxX, p[0]);
                maxY = Math.max(maxY, p[1]);
            }
        }
        StringBuilder b = new StringBuilder("<svg xmlns='http://www.w3.org/2000/svg' width='" + w + "' height='" + hgt + "'>");
        b.append("<line x1='").append(pad).append("' y1='").append(hgt - pad).append("' x2='").append(w - 10).append("' y2='")
                .append(hgt - pad).append("' stroke='#888'/>");
        b.append("<line x1='").append(pad).append("' y1='10' x2='").append(pad).append("' y2='").append(hgt - pad).append("' stroke='#888'/>");
        b.append(String.format(Locale.ROOT, "<text x='%d' y='%d' font-size='11'>%,.0f %s</text>", 2, 18, maxY, yUnit));
        b.append(String.format(Locale.ROOT, "<text x='%d' y='%d' font-size='11'>%.0f %s</text>", w - 60, hgt - pad + 16, maxX, xUnit));
        for (int i = 0; i < series.size(); i++) {
            List<double[]> s = series.get(i);
            if (s.isEmpty()) {
                continue;
            }
            StringBuilder pts = new StringBuilder();
            for (double[] p : s) {
                double x = pad + p[0] / maxX * (w - pad - 10);
                double y = (hgt - pad) - p[1] / maxY * (hgt - pad - 10);
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            b.append("<polyline fill='none' stroke-width='1.5' stroke='").append(COLORS[i % COLORS.length])
                    .append("' points='").append(pts).append("'/>");
        }
        return b.append("</svg>").toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;");
    }
}
