package io.parley.protocol.stream;

import akka.NotUsed;
import akka.stream.Attributes;
import akka.stream.BidiShape;
import akka.stream.Inlet;
import akka.stream.Outlet;
import akka.stream.javadsl.BidiFlow;
import akka.stream.stage.AbstractInHandler;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.GraphStage;
import akka.stream.stage.GraphStageLogic;
import akka.util.ByteString;
import io.parley.protocol.xml.XmlWriter;

/**
 * Both directions of an XMPP stream in one stage, so that a stream restart is synchronous:
 * <pre>
 *   bytes in  ~> [decoder]    ~> StreamFrame out
 *   bytes out <~ [serialiser] <~ OutboundFrame in
 * </pre>
 * An {@link OutboundFrame.ResetParser} resets the decoder while it is processed, before any
 * frame behind it is written; a peer that sends its new stream header only after reading
 * {@code <proceed/>}, {@code <success/>} or our new header is therefore always parsed by the
 * fresh decoder (Prosody's order). Closing one direction leaves the other running.
 */
public final class XmppCodec extends GraphStage<BidiShape<ByteString, StreamFrame, OutboundFrame, ByteString>> {

    /**
     * The marker written for {@link OutboundFrame.StartTls}: an empty ByteString recognised by
     * identity. {@link StartTlsStage} switches on it; any other consumer writes nothing for it.
     */
    public static final ByteString START_TLS = ByteString.fromArrayUnsafe(new byte[0]);

    private final Inlet<ByteString> bytesIn = Inlet.create("XmppCodec.bytesIn");
    private final Outlet<StreamFrame> framesOut = Outlet.create("XmppCodec.framesOut");
    private final Inlet<OutboundFrame> framesIn = Inlet.create("XmppCodec.framesIn");
    private final Outlet<ByteString> bytesOut = Outlet.create("XmppCodec.bytesOut");
    private final BidiShape<ByteString, StreamFrame, OutboundFrame, ByteString> shape =
            BidiShape.of(bytesIn, framesOut, framesIn, bytesOut);
    private final StreamLimits limits;

    public XmppCodec(StreamLimits limits) {
        this.limits = limits;
    }

    /** The codec as a BidiFlow: top is bytes to frames (inbound), bottom frames to bytes (outbound). */
    public static BidiFlow<ByteString, StreamFrame, OutboundFrame, ByteString, NotUsed> bidi(StreamLimits limits) {
        return BidiFlow.fromGraph(new XmppCodec(limits));
    }

    @Override
    public BidiShape<ByteString, StreamFrame, OutboundFrame, ByteString> shape() {
        return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes inheritedAttributes) {
        return new Logic();
    }

    /**
     * One writer per thread, not per connection: a frame is serialised and copied out in one
     * synchronous call, so an idle connection keeps no output buffer. A thread keeps at most
     * {@link #KEEP_WRITER} bytes of buffer after an unusually large stanza.
     */
    private static final ThreadLocal<XmlWriter> WRITER = ThreadLocal.withInitial(() -> new XmlWriter(true, 1024));
    private static final int KEEP_WRITER = 64 * 1024;

    private final class Logic extends DecodingLogic {
        private String contentNamespace = "";

        Logic() {
            super(shape, bytesIn, framesOut, limits);
            setHandler(framesIn, new AbstractInHandler() {
                @Override
                public void onPush() {
                    encode(grab(framesIn));
                }

                @Override
                public void onUpstreamFinish() {
                    complete(bytesOut);
                }
            });
            setHandler(bytesOut, new AbstractOutHandler() {
                @Override
                public void onPull() {
                    pull(framesIn);
                }

                @Override
                public void onDownstreamFinish(Throwable cause) {
                    cancel(framesIn, cause);
                }
            });
        }

        private void encode(OutboundFrame frame) {
            XmlWriter writer = WRITER.get().reset();
            if (frame instanceof OutboundFrame.Element e) {
                writer.element(e.element(), contentNamespace);
            } else if (frame instanceof OutboundFrame.Open o) {
                contentNamespace = o.contentNamespace();
                writer.streamOpen(o.header(), o.contentNamespace());
            } else if (frame == OutboundFrame.Close.INSTANCE) {
                writer.streamClose();
            } else if (frame == OutboundFrame.Whitespace.INSTANCE) {
                writer.ascii(" ");
            } else if (frame == OutboundFrame.ResetParser.INSTANCE) {
                resetDecoder();
                pull(framesIn);
                return;
            } else if (frame == OutboundFrame.StartTls.INSTANCE) {
                push(bytesOut, START_TLS);
                return;
            }
            push(bytesOut, writer.takeByteString());
            if (writer.capacity() > KEEP_WRITER) {
                WRITER.remove();
            }
        }
    }
}
