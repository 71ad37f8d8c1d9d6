package io.parley.protocol.stream;

import akka.NotUsed;
import akka.stream.Attributes;
import akka.stream.FlowShape;
import akka.stream.Inlet;
import akka.stream.Outlet;
import akka.stream.javadsl.Flow;
import akka.stream.stage.GraphStage;
import akka.stream.stage.GraphStageLogic;
import akka.util.ByteString;

/**
 * The XMPP stream parser as an Akka Streams stage: {@code ByteString} in, {@link StreamFrame}s
 * out (stream open, one frame per complete top-level element, stream close, or a fault).
 * A fault is a frame, not a failed stage, so the connection can still answer with a stream
 * error; input after it is ignored. Use {@link XmppCodec} where stream restarts are needed.
 */
public final class XmppStreamParser extends GraphStage<FlowShape<ByteString, StreamFrame>> {

    private final Inlet<ByteString> in = Inlet.create("XmppStreamParser.in");
    private final Outlet<StreamFrame> out = Outlet.create("XmppStreamParser.out");
    private final FlowShape<ByteString, StreamFrame> shape = FlowShape.of(in, out);
    private final StreamLimits limits;

    public XmppStreamParser(StreamLimits limits) {
        this.limits = limits;
    }

    public static Flow<ByteString, StreamFrame, NotUsed> flow(StreamLimits limits) {
        return Flow.fromGraph(new XmppStreamParser(limits));
    }

    public static Flow<ByteString, StreamFrame, NotUsed> flow() {
        return flow(StreamLimits.DEFAULTS);
    }

    @Override
    public FlowShape<ByteString, StreamFrame> shape() {
        return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes inheritedAttributes) {
        return new DecodingLogic(shape, in, out, limits);
    }
}
