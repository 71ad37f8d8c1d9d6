package io.parley.engine.admin;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.Adapter;
import akka.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import akka.persistence.query.PersistenceQuery;
import akka.stream.javadsl.Sink;
import io.parley.engine.ext.Services;
import io.parley.engine.session.Account;
import io.parley.engine.session.UserEntity;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.sasl.StoredCredentials;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What an operator can do, shared by the admin HTTP API (node running) and parleyctl's offline
 * mode (node stopped, store opened directly): accounts and sessions.
 */
public final class AdminOps {

    /** The outcome of an operation, in words an operator reads. */
    public record Result(boolean ok, String message) {
    }

    private final Services services;

    public AdminOps(Services services) {
        this.services = services;
    }

    private Jid account(String user) {
        return Jid.of(user, services.domain().domain(), null);
    }

    public CompletionStage<Result> addUser(String user, String password) {
        return withCredentials(user, password, (jid, creds) ->
                services.<Account.Reply>askUser(jid, rt -> new Account.Create(creds, rt))
                        .thenApply(r -> r == Account.Reply.DONE ? new Result(true, "created " + jid)
                                : new Result(false, r == Account.Reply.STORE_FAILED ? "the store failed the write; try again"
                                        : jid + " already exists")));
    }

    public CompletionStage<Result> removeUser(String user) {
        Jid jid;
        try {
            jid = account(user);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(new Result(false, e.getMessage()));
        }
        return services.<Account.Reply>askUser(jid, rt -> new Account.Delete(null, rt))
                .thenApply(r -> r == Account.Reply.DONE ? new Result(true, "removed " + jid)
                        : new Result(false, jid + " does not exist"));
    }

    public CompletionStage<Result> setPassword(String user, String password) {
        return withCredentials(user, password, (jid, creds) ->
                services.<Account.Reply>askUser(jid, rt -> new Account.ChangePassword(creds, rt))
                        .thenApply(r -> r == Account.Reply.DONE ? new Result(true, "password changed for " + jid)
                                : new Result(false, jid + " does not exist")));
    }

    /** Checks the user name and derives the credentials, or fails with the reason. */
    private CompletionStage<Result> withCredentials(String user, String password,
                                                    java.util.function.BiFunction<Jid, StoredCredentials, CompletionStage<Result>> then) {
        try {
            return then.apply(account(user), StoredCredentials.fromPassword(password));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(new Result(false, e.getMessage()));
        }
    }

    /** Every existing account's JID, sorted (a scan of the journal's persistence ids). */
    public CompletionStage<List<String>> listUsers() {
        CurrentPersistenceIdsQuery journal = PersistenceQuery.get(Adapter.toClassic(services.system()))
                .getReadJournalFor(CurrentPersistenceIdsQuery.class,
                        services.system().settings().config().getString("parley.store-query-plugin"));
        String prefix = UserEntity.TYPE_KEY.name() + "|";
        return journal.currentPersistenceIds()
                .filter(id -> id.startsWith(prefix))
                .map(id -> id.substring(prefix.length()))
                .mapAsync(8, id -> services.<Account.Credentials>askUser(Jid.of(id), Account.GetCredentials::new)
                        .thenApply(c -> c.credentials() == null ? "" : id))
                .filter(id -> !id.isEmpty())
                .runWith(Sink.seq(), services.system())
                .thenApply(ids -> {
                    List<String> sorted = new ArrayList<>(ids);
                    sorted.sort(null);
                    return sorted;
                });
    }

    /** Imports a XEP-0227 file on the blocking executor (the file is read one account at a time). */
    public CompletionStage<Result> importFile(java.nio.file.Path file) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                Portability.ImportReport r = new Portability(services, this).importFile(file);
                StringBuilder m = new StringBuilder("imported " + r.imported() + " account(s)");
                if (r.otherHosts() > 0) {
                    m.append("; skipped ").append(r.otherHosts()).append(" of other hosts");
                }
                r.failures().forEach(f -> m.append("\n").append(f));
                return new Result(r.failures().isEmpty(), m.toString());
            } catch (IOException | IllegalArgumentException e) {
                return new Result(false, "cannot import " + file.getFileName() + ": " + e.getMessage());
            }
        }, services.blockingExecutor());
    }

    /** Imports a XEP-0227 document given as text (the admin API's request body). */
    public CompletionStage<Result> importDocument(String xml) {
        java.nio.file.Path tmp;
        try {
            tmp = java.nio.file.Files.createTempFile("parley-import", ".xml");
            java.nio.file.Files.writeString(tmp, xml);
        } catch (IOException e) {
            return CompletableFuture.completedFuture(new Result(false, "cannot buffer the import: " + e.getMessage()));
        }
        return importFile(tmp).whenComplete((r, e) -> tmp.toFile().delete());
    }

    /** Every account of the domain as a XEP-0227 document. */
    public CompletionStage<byte[]> exportDocument() {
        return CompletableFuture.supplyAsync(() -> {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            try {
                new Portability(services, this).exportTo(out);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
            return out.toByteArray();
        }, services.blockingExecutor());
    }

    /** The bound sessions on every node of the cluster, sorted (nodes that do not answer in 5 s are left out). */
    public CompletionStage<List<String>> listSessions() {
        return sessionsByNode().thenApply(byNode -> {
            List<String> out = new ArrayList<>();
            byNode.forEach(n -> out.addAll(n.jids()));
            out.sort(null);
            return out;
        });
    }

    /** Each node's bound sessions, found through the cluster's receptionist. */
    public CompletionStage<List<NodeSessions.Sessions>> sessionsByNode() {
        akka.actor.typed.ActorSystem<?> system = services.system();
        java.time.Duration t = java.time.Duration.ofSeconds(5);
        return akka.actor.typed.javadsl.AskPattern.<akka.actor.typed.receptionist.Receptionist.Command,
                        akka.actor.typed.receptionist.Receptionist.Listing>ask(system.receptionist(),
                        r -> akka.actor.typed.receptionist.Receptionist.find(NodeSessions.KEY, r), t, system.scheduler())
                .thenCompose(listing -> {
                    List<CompletableFuture<NodeSessions.Sessions>> parts = new ArrayList<>();
                    for (ActorRef<NodeSessions.Get> node : listing.getServiceInstances(NodeSessions.KEY)) {
                        parts.add(akka.actor.typed.javadsl.AskPattern.<NodeSessions.Get, NodeSessions.Sessions>ask(node,
                                NodeSessions.Get::new, t, system.scheduler()).toCompletableFuture()
                                .exceptionally(ex -> null));
                    }
                    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
                        List<NodeSessions.Sessions> out = new ArrayList<>();
                        parts.forEach(p -> {
                            if (p.join() != null) {
                                out.add(p.join());
                            }
                        });
                        out.sort(java.util.Comparator.comparing(NodeSessions.Sessions::node));
                        return out;
                    });
                });
    }

    /** One member of the cluster as an operator sees it. */
    public record Member(String address, String status, boolean reachable, int sessions, java.util.Map<String, Integer> shards,
                         java.util.Map<String, Integer> entities) {
    }

    /** Members with their status, sessions, and shards and entities per entity type. */
    public CompletionStage<List<Member>> clusterStatus() {
        akka.actor.typed.ActorSystem<?> system = services.system();
        akka.cluster.ClusterEvent.CurrentClusterState state = akka.cluster.typed.Cluster.get(system).state();
        java.util.Set<akka.cluster.Member> unreachable = state.getUnreachable();
        java.time.Duration t = java.time.Duration.ofSeconds(5);
        List<akka.cluster.sharding.typed.javadsl.EntityTypeKey<?>> types = List.of(UserEntity.TYPE_KEY,
                io.parley.engine.roster.RosterEntity.TYPE_KEY, io.parley.engine.storage.UserDataEntity.TYPE_KEY);
        List<CompletableFuture<akka.cluster.sharding.ShardRegion.ClusterShardingStats>> stats = new ArrayList<>();
        for (var type : types) {
            stats.add(akka.actor.typed.javadsl.AskPattern.<akka.cluster.sharding.typed.ClusterShardingQuery,
                            akka.cluster.sharding.ShardRegion.ClusterShardingStats>ask(services.sharding().shardState(),
                            r -> new akka.cluster.sharding.typed.GetClusterShardingStats(type, t, r), t.plusSeconds(1), system.scheduler())
                    .toCompletableFuture());
        }
        CompletableFuture<List<NodeSessions.Sessions>> sessions = sessionsByNode().toCompletableFuture();
        return CompletableFuture.allOf(stats.toArray(CompletableFuture[]::new)).thenCombine(sessions, (v, byNode) -> {
            List<Member> out = new ArrayList<>();
            for (akka.cluster.Member m : state.getMembers()) {
                String address = m.address().toString();
                java.util.Map<String, Integer> shards = new java.util.LinkedHashMap<>();
                java.util.Map<String, Integer> entities = new java.util.LinkedHashMap<>();
                for (int i = 0; i < types.size(); i++) {
                    akka.cluster.sharding.ShardRegion.ShardRegionStats r = stats.get(i).join().getRegions().get(m.address());
                    shards.put(types.get(i).name(), r == null ? 0 : r.getStats().size());
                    entities.put(types.get(i).name(), r == null ? 0 : r.getStats().values().stream().mapToInt(x -> ((Number) x).intValue()).sum());
                }
                int count = byNode.stream().filter(n -> n.node().equals(address)).mapToInt(n -> n.jids().size()).sum();
                out.add(new Member(address, m.status().toString(), !unreachable.contains(m), count, shards, entities));
            }
            return out;
        });
    }

    /** Closes the session of a full JID with policy-violation. */
    public CompletionStage<Result> kick(String fullJid) {
        Jid jid = Jid.ofOrNull(fullJid);
        if (jid == null || !jid.isFull()) {
            return CompletableFuture.completedFuture(new Result(false, "not a full JID: " + fullJid));
        }
        return services.<Account.Reply>askUser(jid.bare(), rt -> new UserEntity.KickSession(jid.resource(), rt))
                .thenApply(r -> r == Account.Reply.DONE ? new Result(true, "kicked " + jid)
                        : new Result(false, "no session " + jid));
    }
}
