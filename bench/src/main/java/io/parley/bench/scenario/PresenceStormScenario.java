package io.parley.bench.scenario;

import io.parley.bench.load.ClientHandle;
import io.parley.bench.load.Metrics;
import io.parley.bench.load.StanzaListener;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Presence storm: {@code users} accounts in a ring, each subscribed to its next {@code contacts}
 * neighbours and approving its previous ones (set up as clients would: subscribe, subscribed;
 * checked by reading every roster). Then
 * everybody logs in at a rate (probes and broadcasts), and each user changes status
 * {@code changes} times; each status carries its send time, so every delivered presence gives a
 * latency. Reports presence deliveries per second, latency and loss against the expected count.
 * Its accounts start at {@code first}, so the subscriptions stay away from the other scenarios'
 * accounts (a roster full of contacts would add presence traffic to their sessions).
 */
public final class PresenceStormScenario {

    public record Params(int users, int contacts, int changes, int loginRate, int changeRate, int first) {
    }

    private PresenceStormScenario() {
    }

    public static ScenarioResult run(Context ctx, Params p) throws Exception {
        int ring = subscribeRing(ctx, p);
        Metrics metrics = new Metrics();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicLong lastDelivery = new java.util.concurrent.atomic.AtomicLong();
        StanzaListener listener = (client, stanza) -> {
            if (stanza.name().equals("presence") && stanza.attr("type") == null
                    && !client.jid().bare().toString().equals(bareOf(stanza.attr("from")))) {
                String status = stanza.elementText("status", Namespaces.CLIENT);
                // a contact's status can arrive twice when it changes while the receiver's probe is
                // answered (the probe reply and the broadcast): count each status once per receiver
                if (status != null && status.startsWith("t=")
                        && seen.add(client.jid().bare() + "|" + bareOf(stanza.attr("from")) + "|" + status)) {
                    metrics.latencyNanos(System.nanoTime() - Long.parseLong(status.substring(2)));
                    metrics.received.increment();
                    lastDelivery.accumulateAndGet(System.nanoTime(), Math::max);
                }
            }
        };
        ScheduledFuture<?> sampler = ctx.sampleEverySecond(metrics, "presence");
        long loginStart = System.nanoTime();
        List<ClientHandle> online = ctx.open(p.first(), p.first() + p.users(), p.loginRate(), "storm", true, listener);
        double loginSeconds = (System.nanoTime() - loginStart) / 1e9;
        long expected = 0;
        long start = System.nanoTime();
        try {
            long total = (long) online.size() * p.changes();
            for (long i = 0; i < total; i++) {
                long due = start + (long) (i * 1e9 / p.changeRate());
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                ClientHandle c = online.get((int) (i % online.size()));
                c.send(XmlElement.builder("presence", Namespaces.CLIENT)
                        .textElement("show", Namespaces.CLIENT, i % 2 == 0 ? "away" : "dnd")
                        .textElement("status", Namespaces.CLIENT, "t=" + System.nanoTime()).build());
                metrics.sent.increment();
                expected += p.contacts();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (metrics.received.sum() < expected && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            TimeUnit.MILLISECONDS.sleep(1100);
        } finally {
            sampler.cancel(false);
        }
        // the active window: first change sent to last presence delivered
        double seconds = Math.max(1e-3, (Math.max(lastDelivery.get(), start) - start) / 1e9);
        Context.closeAll(online);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("users", p.users());
        params.put("contacts", p.contacts());
        params.put("changes", p.changes());
        params.put("loginRate", p.loginRate());
        params.put("changeRate", p.changeRate());
        params.put("firstAccount", p.first());
        Map<String, Object> summary = new LinkedHashMap<>();
        long delivered = metrics.received.sum();
        summary.put("online", online.size());
        summary.put("rostersComplete", ring);
        summary.put("loginSeconds", ChatScenario.round(loginSeconds));
        summary.put("expectedDeliveries", expected);
        summary.put("delivered", delivered);
        summary.put("deliveredPerSecond", ChatScenario.round(delivered / seconds));
        summary.put("loss", expected == 0 ? 0 : ChatScenario.round(Math.max(0, expected - delivered) / (double) expected));
        summary.put("latency", metrics.overall());
        return new ScenarioResult("presence", ctx.target.name(), params, summary, List.of(), metrics.timeline());
    }

    private static String bareOf(String jid) {
        if (jid == null) {
            return "";
        }
        int slash = jid.indexOf('/');
        return slash < 0 ? jid : jid.substring(0, slash);
    }

    /**
     * Every user i subscribes to i+1..i+contacts (mod users) and approves the requests it gets,
     * so each has a 'to' subscription to the next {@code contacts} users and a 'from' one with
     * the previous {@code contacts}: each presence change of a user reaches {@code contacts}
     * others. Then it reads every roster until all are complete (bounded); returns how many are.
     */
    private static int subscribeRing(Context ctx, Params p) throws InterruptedException {
        ctx.log.accept(ctx.target.name() + " presence: building the subscription ring");
        Map<String, XmlElement> rosters = new ConcurrentHashMap<>();
        StanzaListener listener = (client, stanza) -> {
            if (stanza.name().equals("presence") && "subscribe".equals(stanza.attr("type"))) {
                client.send(XmlElement.builder("presence", Namespaces.CLIENT).attr("to", bareOf(stanza.attr("from")))
                        .attr("type", "subscribed").build());
            } else if (stanza.name().equals("iq") && "result".equals(stanza.attr("type"))
                    && String.valueOf(stanza.attr("id")).startsWith("ring-check")) {
                rosters.put(client.jid().bare().toString(), stanza);
            }
        };
        List<ClientHandle> all = ctx.open(p.first(), p.first() + p.users(), p.loginRate(), "setup", true, listener);
        int n = all.size();
        for (int i = 0; i < n; i++) {
            for (int k = 1; k <= p.contacts(); k++) {
                ClientHandle contact = all.get((i + k) % n);
                all.get(i).send(XmlElement.builder("presence", Namespaces.CLIENT)
                        .attr("to", contact.jid().bare().toString()).attr("type", "subscribe").build());
            }
        }
        int complete = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(30, n * p.contacts() / 200));
        for (int round = 0; System.nanoTime() < deadline; round++) {
            TimeUnit.SECONDS.sleep(2);
            rosters.clear();
            for (ClientHandle c : all) {
                c.send(XmlElement.builder("iq", Namespaces.CLIENT).attr("type", "get").attr("id", "ring-check-" + round)
                        .child(XmlElement.of("query", Namespaces.ROSTER)).build());
            }
            long answers = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (rosters.size() < n && System.nanoTime() < answers) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            complete = 0;
            for (int i = 0; i < n; i++) {
                if (ringComplete(rosters.get(all.get(i).jid().bare().toString()), all, i, p.contacts())) {
                    complete++;
                }
            }
            if (complete == n) {
                break;
            }
        }
        ctx.log.accept(ctx.target.name() + " presence: " + complete + " of " + n + " rosters complete");
        Context.closeAll(all);
        return complete;
    }

    private static boolean ringComplete(XmlElement rosterResult, List<ClientHandle> all, int i, int contacts) {
        if (rosterResult == null || rosterResult.element("query", Namespaces.ROSTER) == null) {
            return false;
        }
        Map<String, String> subscription = new java.util.HashMap<>();
        for (XmlElement item : rosterResult.element("query", Namespaces.ROSTER).elements("item", Namespaces.ROSTER)) {
            subscription.put(item.attr("jid"), String.valueOf(item.attr("subscription")));
        }
        int n = all.size();
        for (int k = 1; k <= contacts && k < n; k++) {
            String next = subscription.get(all.get((i + k) % n).jid().bare().toString());
            String prev = subscription.get(all.get(((i - k) % n + n) % n).jid().bare().toString());
            if (!("to".equals(next) || "both".equals(next)) || !("from".equals(prev) || "both".equals(prev))) {
                return false;
            }
        }
        return true;
    }
}
