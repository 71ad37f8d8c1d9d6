package io.parley.engine.muc;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.engine.routing.ToClient;
import io.parley.persistence.CborSerializable;
import io.parley.protocol.xml.XmlElement;
import java.util.List;

/**
 * One per node: a room on another node sends a stanza for all its occupants connected here in
 * one message, and this actor hands a copy addressed to each to its connection. A room message
 * then crosses the network once per node, not once per occupant.
 */
public final class MucFanout {

    private MucFanout() {
    }

    public sealed interface Command extends CborSerializable {
    }

    /** One recipient: its connection and its full JID (the {@code to} of its copy). */
    public record Target(ActorRef<ConnectionMessage> connection, String to) {
    }

    /** Send {@code stanza}, addressed to each, to every target. */
    public record Deliver(XmlElement stanza, List<Target> targets) implements Command {
    }

    public static Behavior<Command> create() {
        return Behaviors.receive(Command.class)
                .onMessage(Deliver.class, d -> {
                    for (Target t : d.targets()) {
                        t.connection().tell(new ToClient.Deliver(d.stanza().withAttr("to", t.to())));
                    }
                    return Behaviors.same();
                })
                .build();
    }
}
