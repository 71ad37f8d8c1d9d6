package io.parley.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import io.parley.protocol.stream.OutboundFrame;
import io.parley.protocol.xml.XmlElement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The connection's outbound queue: closing is idempotent whatever ended the stream first. */
class OutTest {

    static final ActorTestKit kit = ActorTestKit.create();

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    @Test
    void closingTwiceOrAfterAFailureIsHarmless() throws Exception {
        var run = Source.<OutboundFrame>queue(4).mapMaterializedValue(q -> new Out(q, 4))
                .toMat(Sink.seq(), akka.stream.javadsl.Keep.both()).run(kit.system());
        Out out = run.first();
        assertThat(out.send(new OutboundFrame.Element(XmlElement.of("presence", "jabber:client")))).isTrue();
        out.done();
        assertThatCode(out::done).as("the client closed first, then the server closes").doesNotThrowAnyException();
        List<OutboundFrame> sent = run.second().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(sent).hasSize(1);

        // a reader that never asks for anything: the queue fills and the slow client is failed
        var failing = Source.<OutboundFrame>queue(1).mapMaterializedValue(q -> new Out(q, 1))
                .toMat(Sink.asPublisher(akka.stream.javadsl.AsPublisher.WITHOUT_FANOUT), akka.stream.javadsl.Keep.left())
                .run(kit.system());
        boolean accepted = true;
        for (int i = 0; i < 10 && accepted; i++) {
            accepted = failing.send(new OutboundFrame.Element(XmlElement.of("presence", "jabber:client")));
        }
        assertThat(accepted).as("the queue filled up").isFalse();
        assertThatCode(failing::done).as("closing after a slow-client failure").doesNotThrowAnyException();
    }
}
