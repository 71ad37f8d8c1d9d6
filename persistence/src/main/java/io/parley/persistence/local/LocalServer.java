package io.parley.persistence.local;

import java.util.concurrent.TimeUnit;

/**
 * A store server this process started and owns: its PID, an orderly stop that ends in SIGKILL
 * after 30 s, and a SIGKILL on demand (a crash, for tests).
 */
public abstract class LocalServer implements AutoCloseable {

    protected Process process;

    /** The server process's PID, or -1 when it is not running. */
    public long pid() {
        return process == null ? -1 : process.pid();
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Sends the server its orderly-shutdown signal. */
    protected abstract void askToStop() throws InterruptedException;

    /** Cleans up after a SIGKILL (what the killed server leaves behind). */
    protected void afterKill() throws InterruptedException {
    }

    /** Orderly stop, then SIGKILL after 30 s. */
    public synchronized void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        askToStop();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        process = null;
    }

    /** SIGKILL, as a crash or a power cut would end it. */
    public synchronized void kill() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        process = null;
        afterKill();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
