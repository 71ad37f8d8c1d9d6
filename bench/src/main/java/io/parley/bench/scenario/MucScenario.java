package io.parley.bench.scenario;

import io.parley.bench.load.ClientHandle;
import io.parley.bench.load.Metrics;
import io.parley.bench.load.StanzaListener;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Group chat (XEP-0045): {@code users} clients online; for each room size S the clients fill
 * users/S rooms of S occupants (the first joiner creates the room and submits the empty form, an
 * instant room on every server), then each step sends groupchat messages at a total rate that
 * asks for a number of occupant deliveries per second (rate x S: every occupant, the sender too,
 * gets each message), senders in turn over all occupants. Measured: deliveries per second,
 * end-to-end latency per delivery (HdrHistogram), loss. Steps rise until p99 passes four times
 * the bound or loss passes 5%; the headline per size is the highest delivered rate whose p99
 * stayed within the bound with no loss. Everyone leaves before the next size. An optional
 * warm-up per size sends at the first rate, unmeasured, so a JVM server is not measured cold.
 */
public final class MucScenario {

    /** @param warmupSeconds per room size, sending at the first rate before the measured steps (JIT, caches) */
    public record Params(int users, List<Integer> sizes, List<Integer> deliveries, int stepSeconds, double p99BoundMs,
                         int loginRate, int joinRate, String service, int warmupSeconds) {
    }

    private MucScenario() {
    }

    /** Self-presence awaited per (client, room): completes on status 110, fails on an error presence. */
    private static final class Joins {
        final Map<String, CompletableFuture<XmlElement>> pending = new ConcurrentHashMap<>();

        CompletableFuture<XmlElement> expect(ClientHandle c, String room) {
            return pending.computeIfAbsent(c.jid() + "|" + room, k -> new CompletableFuture<>());
        }

        void onPresence(ClientHandle c, XmlElement p) {
            Jid from = Jid.ofOrNull(p.attr("from"));
            if (from == null || !from.hasResource()) {
                return;
            }
            CompletableFuture<XmlElement> f = pending.get(c.jid() + "|" + from.bare());
            if (f == null) {
                return;
            }
            if ("error".equals(p.attr("type"))) {
                f.completeExceptionally(new IllegalStateException("join refused: " + p));
                return;
            }
            XmlElement x = p.element("x", Namespaces.MUC_USER);
            if (x != null && x.elements("status", Namespaces.MUC_USER).stream().anyMatch(s -> "110".equals(s.attr("code")))) {
                f.complete(p);
            }
        }
    }

    public static ScenarioResult run(Context ctx, Params p) throws Exception {
        Metrics metrics = new Metrics();
        Joins joins = new Joins();
        Map<String, CompletableFuture<XmlElement>> iqs = new ConcurrentHashMap<>();
        StanzaListener listener = (client, stanza) -> {
            switch (stanza.name()) {
                case "message" -> Pacing.timedMessage(metrics, stanza);
                case "presence" -> joins.onPresence(client, stanza);
                case "iq" -> {
                    CompletableFuture<XmlElement> f = iqs.remove(stanza.attr("id"));
                    if (f != null) {
                        f.complete(stanza);
                    }
                }
                default -> {
                }
            }
        };
        String service = p.service() != null ? p.service() : "conference." + ctx.target.domain();
        ctx.log.accept(ctx.target.name() + " muc: logging in " + p.users() + " clients");
        List<ClientHandle> clients = ctx.open(0, p.users(), p.loginRate(), "muc", true, listener);
        List<Map<String, Object>> steps = new ArrayList<>();
        Map<String, Object> summary = new LinkedHashMap<>();
        ScheduledFuture<?> sampler = ctx.sampleEverySecond(metrics, "muc");
        String run = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
        try {
            for (int size : p.sizes()) {
                int rooms = clients.size() / size;
                if (rooms == 0) {
                    summary.put("best" + size, 0.0);
                    continue;
                }
                List<List<ClientHandle>> occupants = fill(ctx, joins, iqs, clients, size, rooms, "b" + run + "s" + size, service, p.joinRate());
                int total = occupants.stream().mapToInt(List::size).sum();
                ctx.log.accept(ctx.target.name() + " muc: " + occupants.size() + " rooms of " + size + ", " + total + " occupants in");
                double best = 0;
                if (p.warmupSeconds() > 0) {
                    send(occupants, p.deliveries().get(0) / (double) size, p.warmupSeconds(), metrics);
                    TimeUnit.SECONDS.sleep(3);
                }
                for (int deliveries : p.deliveries()) {
                    double msgRate = deliveries / (double) size;
                    Pacing.Measured m = Pacing.measure(ctx, metrics, () -> send(occupants, msgRate, p.stepSeconds(), metrics));
                    Metrics.Latency lat = m.latency();
                    long recv = m.received();
                    double seconds = m.seconds();
                    double loss = m.loss();
                    Map<String, Object> step = new LinkedHashMap<>();
                    step.put("roomSize", size);
                    step.put("rooms", occupants.size());
                    step.put("targetDeliveriesPerSecond", deliveries);
                    step.put("messagesPerSecond", ChatScenario.round(msgRate));
                    step.put("expected", m.sent());
                    step.put("delivered", recv);
                    step.put("errors", m.errors());
                    step.put("deliveredPerSecond", ChatScenario.round(recv / seconds));
                    step.put("loss", ChatScenario.round(loss));
                    step.put("p50Ms", lat.p50Ms());
                    step.put("p99Ms", lat.p99Ms());
                    step.put("maxMs", lat.maxMs());
                    if (m.serverCores() >= 0) {
                        step.put("serverCpuCores", ChatScenario.round(m.serverCores()));
                    }
                    steps.add(step);
                    ctx.log.accept(ctx.target.name() + " muc step " + step);
                    if (lat.p99Ms() <= p.p99BoundMs() && loss < 0.001) {
                        best = Math.max(best, recv / seconds);
                    }
                    if (lat.p99Ms() > 4 * p.p99BoundMs() || loss > 0.05) {
                        break;
                    }
                }
                summary.put("best" + size, ChatScenario.round(best));
                leave(occupants);
            }
        } finally {
            sampler.cancel(false);
            Context.closeAll(clients);
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("users", clients.size());
        params.put("sizes", p.sizes());
        params.put("deliveries", p.deliveries());
        params.put("stepSeconds", p.stepSeconds());
        params.put("p99BoundMs", p.p99BoundMs());
        params.put("warmupSeconds", p.warmupSeconds());
        summary.put("overall", metrics.overall());
        return new ScenarioResult("muc", ctx.target.name(), params, summary, steps, metrics.timeline());
    }

    private static String roomJid(String prefix, int k, String service) {
        return prefix + "r" + k + "@" + service;
    }

    private static XmlElement joinPresence(String room, int nick) {
        return XmlElement.builder("presence", Namespaces.CLIENT).attr("to", room + "/u" + nick)
                .child(XmlElement.builder("x", Namespaces.MUC)
                        .child(XmlElement.builder("history", Namespaces.MUC).attr("maxstanzas", "0").build()).build())
                .build();
    }

    /**
     * Fills {@code rooms} rooms of {@code size}: each room's first client creates it (and makes it an
     * instant room when it comes locked, status 201), then the others join at {@code joinRate}.
     * Returns each room's occupants that got in.
     */
    private static List<List<ClientHandle>> fill(Context ctx, Joins joins, Map<String, CompletableFuture<XmlElement>> iqs,
                                                 List<ClientHandle> clients, int size, int rooms, String prefix, String service,
                                                 int joinRate) throws InterruptedException {
        List<List<ClientHandle>> occupants = new ArrayList<>();
        List<CompletableFuture<?>> created = new ArrayList<>();
        for (int k = 0; k < rooms; k++) {
            String room = roomJid(prefix, k, service);
            ClientHandle owner = clients.get(k * size);
            CompletableFuture<XmlElement> self = joins.expect(owner, room);
            owner.send(joinPresence(room, k * size));
            created.add(self.thenCompose(presence -> {
                XmlElement x = presence.element("x", Namespaces.MUC_USER);
                boolean locked = x.elements("status", Namespaces.MUC_USER).stream().anyMatch(s -> "201".equals(s.attr("code")));
                if (!locked) {
                    return CompletableFuture.completedFuture(presence);
                }
                String id = "cfg-" + room;
                CompletableFuture<XmlElement> answer = new CompletableFuture<>();
                iqs.put(id, answer);
                owner.send(XmlElement.builder("iq", Namespaces.CLIENT).attr("type", "set").attr("to", room).attr("id", id)
                        .child(XmlElement.builder("query", Namespaces.MUC_OWNER)
                                .child(XmlElement.builder("x", "jabber:x:data").attr("type", "submit").build()).build())
                        .build());
                return answer;
            }));
            owner.attachment = room + "/u" + k * size;
            occupants.add(new ArrayList<>(List.of(owner)));
        }
        try {
            CompletableFuture.allOf(created.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            ctx.log.accept(ctx.target.name() + " muc: not every room was created: " + e);
        }
        List<CompletableFuture<XmlElement>> joined = new ArrayList<>();
        List<int[]> who = new ArrayList<>();
        long start = System.nanoTime();
        int n = 0;
        // round-robin over rooms, so every room grows at once
        for (int i = 1; i < size; i++) {
            for (int k = 0; k < rooms; k++) {
                long due = start + (long) (n++ * 1e9 / joinRate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                ClientHandle c = clients.get(k * size + i);
                String room = roomJid(prefix, k, service);
                joined.add(joins.expect(c, room));
                who.add(new int[] {k, k * size + i});
                c.send(joinPresence(room, k * size + i));
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int failed = 0;
        for (int j = 0; j < joined.size(); j++) {
            try {
                joined.get(j).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                ClientHandle c = clients.get(who.get(j)[1]);
                c.attachment = roomJid(prefix, who.get(j)[0], service) + "/u" + who.get(j)[1];
                occupants.get(who.get(j)[0]).add(c);
            } catch (Exception e) {
                failed++;
            }
        }
        if (failed > 0) {
            ctx.log.accept(ctx.target.name() + " muc: " + failed + " joins failed or timed out");
        }
        return occupants;
    }

    /** Sends groupchat messages at {@code rate}/s for {@code seconds}, in 10 ms ticks, every occupant in turn. */
    private static void send(List<List<ClientHandle>> rooms, double rate, int seconds, Metrics metrics)
            throws InterruptedException {
        List<ClientHandle> senders = new ArrayList<>();
        List<Integer> roomOf = new ArrayList<>();
        int maxSize = rooms.stream().mapToInt(List::size).max().orElse(0);
        for (int i = 0; i < maxSize; i++) {
            for (int k = 0; k < rooms.size(); k++) {
                if (i < rooms.get(k).size()) {
                    senders.add(rooms.get(k).get(i));
                    roomOf.add(k);
                }
            }
        }
        Pacing.paced(rate, seconds, n -> {
            int i = (int) (n % senders.size());
            ClientHandle from = senders.get(i);
            String occupantJid = (String) from.attachment;
            from.send(XmlElement.builder("message", Namespaces.CLIENT).attr("to", occupantJid.substring(0, occupantJid.indexOf('/')))
                    .attr("type", "groupchat").textElement("body", Namespaces.CLIENT, "t=" + System.nanoTime() + " hello room")
                    .build());
            metrics.sent.add(rooms.get(roomOf.get(i)).size());
        });
    }

    /** Everyone leaves; waits (bounded) for the servers to have passed the departures on. */
    private static void leave(List<List<ClientHandle>> rooms) throws InterruptedException {
        for (List<ClientHandle> room : rooms) {
            for (ClientHandle c : room) {
                c.send(XmlElement.builder("presence", Namespaces.CLIENT).attr("to", (String) c.attachment)
                        .attr("type", "unavailable").build());
                c.attachment = null;
            }
        }
        TimeUnit.SECONDS.sleep(3);
    }
}
