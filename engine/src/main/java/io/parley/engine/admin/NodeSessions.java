package io.parley.engine.admin;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import io.parley.engine.net.C2sListener;
import io.parley.persistence.CborSerializable;
import io.parley.protocol.jid.Jid;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One per node, registered with the cluster's receptionist: answers which sessions are bound on
 * this node, so the admin API of any node can list the sessions of every node.
 */
public final class NodeSessions {

    public static final ServiceKey<Get> KEY = ServiceKey.create(Get.class, "parley-node-sessions");

    /** Asks for this node's bound sessions. */
    public record Get(ActorRef<Sessions> replyTo) implements CborSerializable {
    }

    /** A node's address and its bound full JIDs. */
    public record Sessions(String node, List<String> jids) implements CborSerializable {
    }

    private NodeSessions() {
    }

    public static Behavior<Get> create(List<ActorRef<C2sListener.Command>> listeners) {
        return Behaviors.setup(ctx -> {
            ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
            String node = akka.cluster.typed.Cluster.get(ctx.getSystem()).selfMember().address().toString();
            return Behaviors.receiveMessage(get -> {
                List<CompletableFuture<List<Jid>>> parts = new ArrayList<>();
                for (ActorRef<C2sListener.Command> l : listeners) {
                    parts.add(AskPattern.<C2sListener.Command, List<Jid>>ask(l, C2sListener.ListSessions::new,
                            Duration.ofSeconds(5), ctx.getSystem().scheduler()).toCompletableFuture());
                }
                CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).whenComplete((v, ex) -> {
                    List<String> jids = new ArrayList<>();
                    if (ex == null) {
                        parts.forEach(p -> p.join().forEach(j -> jids.add(j.toString())));
                    }
                    jids.sort(null);
                    get.replyTo().tell(new Sessions(node, jids));
                });
                return Behaviors.same();
            });
        });
    }
}
