package io.parley.engine.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline (polling), instead of sleeping and hoping. */
public final class Awaits {

    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Awaits() {
    }

    public static void until(String what, BooleanSupplier condition) {
        until(what, condition, TIMEOUT.toSeconds());
    }

    /** With a deadline of its own, for what takes longer (a store coming back). */
    public static void until(String what, BooleanSupplier condition, long seconds) {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    public static <T> T value(String what, Supplier<T> supplier) {
        Object[] holder = new Object[1];
        until(what, () -> (holder[0] = supplier.get()) != null);
        @SuppressWarnings("unchecked")
        T t = (T) holder[0];
        return t;
    }
}
