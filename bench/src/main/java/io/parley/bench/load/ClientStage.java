package io.parley.bench.load;

import akka.Done;
import akka.stream.Attributes;
import akka.stream.FlowShape;
import akka.stream.Inlet;
import akka.stream.Outlet;
import akka.stream.stage.AbstractInHandler;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.GraphStageLogic;
import akka.stream.stage.GraphStageWithMaterializedValue;
import io.parley.protocol.client.ClientNegotiator;
import io.parley.protocol.stream.OutboundFrame;
import io.parley.protocol.stream.StreamFrame;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import scala.Tuple2;

/**
 * The protocol side of one simulated client, inside its stream (no actor, no thread of its
 * own): it negotiates with the protocol module's {@link ClientNegotiator}, optionally fetches the
 * roster and sends initial presence, then hands every stanza to the scenario's listener on the
 * stage's thread. The scenario writes through the {@link ClientHandle}.
 */
final class ClientStage extends GraphStageWithMaterializedValue<FlowShape<StreamFrame, OutboundFrame>, ClientHandle> {

    private final Inlet<StreamFrame> in = Inlet.create("Client.in");
    private final Outlet<OutboundFrame> out = Outlet.create("Client.out");
    private final FlowShape<StreamFrame, OutboundFrame> shape = FlowShape.of(in, out);
    private final ClientNegotiator.Settings settings;
    private final boolean presence;
    private final StanzaListener listener;

    ClientStage(ClientNegotiator.Settings settings, boolean presence, StanzaListener listener) {
        this.settings = settings;
        this.presence = presence;
        this.listener = listener;
    }

    @Override
    public FlowShape<StreamFrame, OutboundFrame> shape() {
        return shape;
    }

    @Override
    public Tuple2<GraphStageLogic, ClientHandle> createLogicAndMaterializedValue(Attributes attrs) {
        ClientHandle handle = new ClientHandle();
        GraphStageLogic logic = new GraphStageLogic(shape) {
            private final ClientNegotiator negotiator = new ClientNegotiator(settings);
            private boolean bound;
            private boolean ready;

            {
                setHandler(in, new AbstractInHandler() {
                    @Override
                    public void onPush() {
                        onFrame(grab(in));
                        if (!isClosed(in)) {
                            pull(in);
                        }
                    }

                    @Override
                    public void onUpstreamFinish() {
                        finish(null);
                        completeStage();
                    }

                    @Override
                    public void onUpstreamFailure(Throwable ex) {
                        finish(ex);
                        failStage(ex);
                    }
                });
                setHandler(out, new AbstractOutHandler() {
                    @Override
                    public void onPull() {
                        // emit() buffers what the scenario writes
                    }

                    @Override
                    public void onDownstreamFinish(Throwable cause) {
                        finish(null);
                        completeStage();
                    }
                });
            }

            @Override
            public void preStart() {
                akka.stream.stage.AsyncCallback<XmlElement> sender = createAsyncCallback(
                        (akka.japi.function.Procedure<XmlElement>) e -> emit(out, new OutboundFrame.Element(e)));
                akka.stream.stage.AsyncCallback<akka.Done> closer = createAsyncCallback(
                        (akka.japi.function.Procedure<akka.Done>) d -> emit(out, OutboundFrame.Close.INSTANCE, () -> complete(out)));
                handle.attach(sender, closer);
                emitMultiple(out, negotiator.start().iterator());
                pull(in);
            }

            @Override
            public void postStop() {
                finish(null);
            }

            private void onFrame(StreamFrame frame) {
                if (!bound) {
                    ClientNegotiator.Step step = negotiator.onFrame(frame);
                    if (step instanceof ClientNegotiator.Step.Send s) {
                        emitMultiple(out, s.frames().iterator());
                    } else if (step instanceof ClientNegotiator.Step.Bound b) {
                        bound = true;
                        handle.jid = b.jid();
                        emitMultiple(out, b.frames().iterator());
                        handle.bound.complete(b.jid());
                        if (presence) {
                            emit(out, new OutboundFrame.Element(XmlElement.builder("iq", Namespaces.CLIENT).attr("type", "get")
                                    .attr("id", "roster-1").child(XmlElement.of("query", Namespaces.ROSTER)).build()));
                            emit(out, new OutboundFrame.Element(XmlElement.of("presence", Namespaces.CLIENT)));
                        } else {
                            ready = true;
                            handle.ready.complete(b.jid());
                        }
                    } else if (step instanceof ClientNegotiator.Step.Failed f) {
                        RuntimeException ex = new IllegalStateException(f.reason());
                        finish(ex);
                        emit(out, OutboundFrame.Close.INSTANCE, () -> complete(out));
                    }
                    return;
                }
                if (frame instanceof StreamFrame.Element e) {
                    XmlElement stanza = e.element();
                    if (!ready && stanza.name().equals("presence") && handle.jid.toString().equals(stanza.attr("from"))) {
                        ready = true;
                        handle.ready.complete(handle.jid);
                        return;
                    }
                    if (stanza.name().equals("iq") && ("get".equals(stanza.attr("type")) || "set".equals(stanza.attr("type")))) {
                        emit(out, new OutboundFrame.Element(answer(stanza)));
                    }
                    listener.onStanza(handle, stanza);
                } else if (frame == StreamFrame.Close.INSTANCE || frame instanceof StreamFrame.Fault) {
                    finish(frame instanceof StreamFrame.Fault f ? new IllegalStateException("stream fault " + f) : null);
                    emit(out, OutboundFrame.Close.INSTANCE, () -> complete(out));
                }
            }

            /**
             * What a real client answers to a request (RFC 6120 8.2.3: every get or set gets a
             * reply): a result to pings (XEP-0199, or an idle session is dropped by the server)
             * and roster pushes, service-unavailable to anything else.
             */
            private XmlElement answer(XmlElement iq) {
                var reply = XmlElement.builder("iq", Namespaces.CLIENT).attr("id", iq.attr("id"));
                if (iq.attr("from") != null) {
                    reply.attr("to", iq.attr("from"));
                }
                if (iq.element("ping", Namespaces.PING) != null || iq.element("query", Namespaces.ROSTER) != null) {
                    return reply.attr("type", "result").build();
                }
                return reply.attr("type", "error").child(XmlElement.builder("error", Namespaces.CLIENT).attr("type", "cancel")
                        .child(XmlElement.of("service-unavailable", Namespaces.STANZA_ERRORS)).build()).build();
            }

            private void finish(Throwable ex) {
                // which step it ended in tells a refused connection (before login) from a session
                // the server dropped after binding it (no echo of the initial presence)
                IllegalStateException gone = new IllegalStateException(bound
                        ? "connection ended after bind, before the initial presence came back"
                        : "connection ended before login", ex);
                handle.bound.completeExceptionally(gone);
                handle.ready.completeExceptionally(gone);
                if (ex == null) {
                    handle.closed.complete(Done.getInstance());
                } else {
                    handle.closed.completeExceptionally(ex);
                }
            }
        };
        return new Tuple2<>(logic, handle);
    }
}
