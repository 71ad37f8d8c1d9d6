package io.parley.bench.scenario;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a server process's memory: resident set size from /proc, and for a JVM the heap in use
 * after a full GC and the biggest classes, through {@code jcmd} (from the bench's own JDK).
 */
final class ServerProbe {

    private static final Pattern USED = Pattern.compile("used (\\d+)K");

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

    /** The first lines of the class histogram (after a full GC): where the heap goes. */
    static List<String> topClasses(long pid, int lines) {
        List<String> out = new ArrayList<>();
        if (pid <= 0) {
            return out;
        }
        String[] all = jcmd(pid, "GC.class_histogram").split("\n");
        for (int i = 0; i < all.length && out.size() < lines + 2; i++) {
            if (!all[i].isBlank() && !all[i].startsWith(pid + ":")) {
                out.add(all[i].strip());
            }
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
