package io.parley.bench.scenario;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a server process's memory: resident set size from /proc, and for a JVM the heap in use
 * after a full GC and the biggest classes, through {@code jcmd} (from the bench's own JDK).
 */
final class ServerProbe {

    private static final Pattern USED = Pattern.compile("used (\\d+)K");
    private static final Pattern HISTO = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

    private ServerProbe() {
    }

    /** Resident set size in KiB, or -1 when unknown. */
    static long rssKb(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /**
     * CPU time (user and system) the processes have used so far, in milliseconds, from
     * /proc/PID/stat (clock ticks of 10 ms, the Linux default); -1 when a process cannot be read.
     */
    static long cpuMillis(java.util.List<Long> pids) {
        if (pids.isEmpty()) {
            return -1;
        }
        long ticks = 0;
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                // the fields after the command name (which may hold spaces) start after the last ')'
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }
        return ticks * 10;
    }

    /** Heap in use after a full GC, in KiB, or -1. */
    static long heapAfterGcKb(long pid) {
        if (pid <= 0) {
            return -1;
        }
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        Matcher m = USED.matcher(info);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** The class histogram (after a full GC): class name to {instances, bytes}. */
    static Map<String, long[]> classHistogram(long pid) {
        Map<String, long[]> classes = new HashMap<>();
        if (pid <= 0) {
            return classes;
        }
        for (String line : jcmd(pid, "GC.class_histogram").split("\n")) {
            Matcher m = HISTO.matcher(line);
            if (m.find()) {
                classes.put(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
            }
        }
        return classes;
    }

    /** Where the heap grew between two histograms: the biggest growths, per session held. */
    static List<String> growth(Map<String, long[]> before, Map<String, long[]> after, long sessions, int lines) {
        List<Map.Entry<String, long[]>> diff = new ArrayList<>();
        after.forEach((k, v) -> {
            long[] b = before.getOrDefault(k, new long[2]);
            diff.add(Map.entry(k, new long[] {v[0] - b[0], v[1] - b[1]}));
        });
        diff.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
        List<String> out = new ArrayList<>();
        out.add(String.format(Locale.ROOT, "%12s %12s %10s %10s  %s", "+instances", "+bytes", "inst/sess", "B/sess", "class"));
        for (Map.Entry<String, long[]> e : diff.subList(0, Math.min(lines, diff.size()))) {
            long n = Math.max(1, sessions);
            out.add(String.format(Locale.ROOT, "%12d %12d %10.2f %10.1f  %s", e.getValue()[0], e.getValue()[1],
                    e.getValue()[0] / (double) n, e.getValue()[1] / (double) n, e.getKey()));
        }
        return out;
    }

    private static String jcmd(long pid, String command) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            p.waitFor(60, TimeUnit.SECONDS);
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
