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
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    }

    /**
     * Starts a node ({@code io.parley.engine.Parley --config conf}) and returns once it prints its
     * start line; its further output goes to {@code <conf>.log} beside the config file, so it
     * never blocks on a full pipe and a failed test can be read.
     */
    public static Process startNode(Path dir, Path conf) throws IOException {
        Process p = start(dir, "io.parley.engine.Parley", List.of("--config", conf.toString()));
        java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.contains("parley: serving")) {
            // wait for the start line
        }
        if (line == null) {
            throw new AssertionError("the node exited before it started serving");
        }
        Path log = conf.resolveSibling(conf.getFileName() + ".log");
        Thread drain = new Thread(() -> {
            try (java.io.Writer w = Files.newBufferedWriter(log)) {
                for (String l = out.readLine(); l != null; l = out.readLine()) {
                    w.write(l);
                    w.write('\n');
                    w.flush();
                }
            } catch (IOException e) {
                // the node ended
            }
        });
        drain.setDaemon(true);
        drain.start();
        return p;
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
