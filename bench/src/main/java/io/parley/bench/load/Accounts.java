package io.parley.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bench's accounts, {@code <prefix><n>} with password {@code pw-<prefix><n>}, created with
 * in-band registration (XEP-0077) on any server that allows it, so every target is provisioned
 * the same way. An existing account is fine (runs can repeat).
 */
public final class Accounts {

    private final String prefix;

    public Accounts(String prefix) {
        this.prefix = prefix;
    }

    public String user(int n) {
        return prefix + n;
    }

    public String password(int n) {
        return "pw-" + prefix + n;
    }

    /** Registers accounts 0..count-1, {@code parallel} at a time; returns how many failed for a reason other than existing. */
    public int provision(Connector connector, Target target, int count, int parallel) throws InterruptedException {
        Semaphore slots = new Semaphore(parallel);
        AtomicInteger failed = new AtomicInteger();
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            slots.acquire();
            int n = i;
            ClientHandle c = connector.connect(target, user(n), password(n), "provision", true, false, StanzaListener.IGNORE);
            CompletableFuture<?> f = c.ready().handle((jid, ex) -> {
                if (ex != null) {
                    String msg = String.valueOf(ex.getCause() == null ? ex.getMessage() : ex.getCause().getMessage());
                    if (!msg.contains("conflict")) {
                        failed.incrementAndGet();
                    }
                }
                c.close();
                slots.release();
                return null;
            });
            all.add(f);
        }
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        } catch (Exception e) {
            throw new IllegalStateException("provisioning did not finish", e);
        }
        return failed.get();
    }
}
