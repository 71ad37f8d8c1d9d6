package io.parley.bench.scenario;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Another load process (a JVM of its own, so its own open-file limit) holding a share of the
 * idle sessions for the process that runs the scenario. It opens accounts
 * {@code first..first+count-1} from its own range of source addresses, prints {@code held N},
 * answers {@code count} with {@code held N}, and closes everything on {@code close} or when its
 * input ends (so it never outlives its parent).
 */
final class LoadHelper implements AutoCloseable {

    private final Process process;
    private final BufferedReader out;
    private final Writer in;

    private LoadHelper(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    static LoadHelper start(Context ctx, int first, int count, int rate, int firstSource) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-cp", System.getProperty("java.class.path"), "io.parley.bench.Bench",
                "--target", ctx.target.connectSpec(), "--prefix", ctx.accounts.prefix(),
                "--sources", Integer.toString(ctx.connector.sourceAddresses()), "--first-source", Integer.toString(firstSource),
                "--hold", "first=" + first + ",count=" + count + ",rate=" + rate));
        if (ctx.scramCache != null) {
            cmd.add("--scram-cache");
            cmd.add(ctx.scramCache.toString());
        }
        return new LoadHelper(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start());
    }

    /** Waits for the helper's next {@code held N} line; -1 if it ended first. */
    int held() throws IOException {
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("held ")) {
                return Integer.parseInt(line.substring(5).trim());
            }
        }
        return -1;
    }

    /** Asks how many of its sessions are still open. */
    int count() throws IOException {
        in.write("count\n");
        in.flush();
        return held();
    }

    @Override
    public void close() {
        try {
            in.write("close\n");
            in.close();
        } catch (IOException e) {
            // it is gone already
        }
        try {
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
