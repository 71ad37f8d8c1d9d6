package io.parley.engine.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a main class in a forked JVM with the test class path, as an operator would run the scripts. */
public final class JavaProcess {

    public record Result(int exitCode, String output) {
    }

    private JavaProcess() {
    }

    public static Process start(Path dir, String mainClass, List<String> args) throws IOException {
        return process(dir, mainClass, args).start();
    }

    private static ProcessBuilder process(Path dir, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    }

    /**
     * Starts a node ({@code io.parley.engine.Parley --config conf}) and returns once it prints its
     * start line. Its output goes straight to {@code <conf>.log} beside the config file (appended:
     * a restarted node adds to it), so nothing is lost when the node is stopped (a pipe would be
     * closed by {@link Process#destroy()} before the node logs its shutdown) and a failed test can
     * be read.
     */
    public static Process startNode(Path dir, Path conf) throws IOException, InterruptedException {
        Path log = conf.resolveSibling(conf.getFileName() + ".log");
        long from = Files.exists(log) ? Files.size(log) : 0;
        Process p = process(dir, "io.parley.engine.Parley", List.of("--config", conf.toString()))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!startLineSince(log, from)) {
            if (!p.isAlive()) {
                throw new AssertionError("the node exited before it started serving; see " + log);
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("the node did not start serving within 120 s; see " + log);
            }
            Thread.sleep(50); // polling a file the node writes: no event to wait on
        }
        return p;
    }

    private static boolean startLineSince(Path log, long from) throws IOException {
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(log.toFile(), "r")) {
            if (f.length() <= from) {
                return false;
            }
            f.seek(from);
            byte[] b = new byte[(int) (f.length() - from)];
            f.readFully(b);
            return new String(b, StandardCharsets.UTF_8).contains("parley: serving");
        }
    }

    /** Runs to completion (bounded); the process is killed if it overruns. */
    public static Result run(Path dir, String mainClass, List<String> args, String stdin) throws Exception {
        Process p = start(dir, mainClass, args);
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(mainClass + " did not finish");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    public static Path writeConfig(Path dir, String hocon) throws IOException {
        Path f = dir.resolve("test.conf");
        Files.writeString(f, hocon);
        return f;
    }
}
