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
 * the same way. An existing account is fine (runs can repeat) if its password is the bench's.
 */
public final class Accounts {

    private final String prefix;

    public Accounts(String prefix) {
        this.prefix = prefix;
    }

    public String prefix() {
        return prefix;
    }

    public String user(int n) {
        return prefix + n;
    }

    public String password(int n) {
        return "pw-" + prefix + n;
    }

    /**
     * Registers accounts 0..count-1, {@code parallel} at a time, and logs into each (an existing
     * account is logged into instead, which also fills the client's SCRAM key cache). Returns
     * how many failed.
     */
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
                    failed.incrementAndGet();
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
