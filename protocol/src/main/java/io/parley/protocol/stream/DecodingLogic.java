package io.parley.protocol.stream;

import akka.stream.Inlet;
import akka.stream.Outlet;
import akka.stream.Shape;
import akka.stream.stage.AbstractInHandler;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.GraphStageLogic;
import akka.util.ByteString;
import java.util.ArrayDeque;
import java.util.ArrayList;

/**
 * The inbound half shared by {@link XmppStreamParser} and {@link XmppCodec}: bytes in, frames
 * out, through one {@link XmppStreamDecoder}. All mutable state lives here, one instance per
 * materialisation. Frames decoded from one chunk wait in a queue for demand; the next chunk
 * is pulled only when the queue is empty, so memory stays bounded.
 */
class DecodingLogic extends GraphStageLogic {

    private final Inlet<ByteString> bytesIn;
    private final Outlet<StreamFrame> framesOut;
    protected final XmppStreamDecoder decoder;
    private final ArrayList<StreamFrame> decoded = new ArrayList<>();
    private final ArrayDeque<StreamFrame> pending = new ArrayDeque<>();
    private boolean inputFinished;

    DecodingLogic(Shape shape, Inlet<ByteString> bytesIn, Outlet<StreamFrame> framesOut, StreamLimits limits) {
        super(shape);
        this.bytesIn = bytesIn;
        this.framesOut = framesOut;
        this.decoder = new XmppStreamDecoder(limits);
        setHandler(bytesIn, new AbstractInHandler() {
            @Override
            public void onPush() {
                onBytes(grab(bytesIn));
            }

            @Override
            public void onUpstreamFinish() {
                inputFinished = true;
                if (pending.isEmpty()) {
                    complete(framesOut);
                }
            }
        });
        setHandler(framesOut, new AbstractOutHandler() {
            @Override
            public void onPull() {
                deliver();
            }

            @Override
            public void onDownstreamFinish(Throwable cause) {
                cancel(bytesIn, cause);
            }
        });
    }

    private void onBytes(ByteString bytes) {
        decoder.feed(bytes, decoded);
        pending.addAll(decoded);
        decoded.clear();
        if (isAvailable(framesOut)) {
            deliver();
        }
    }

    private void deliver() {
        StreamFrame next = pending.poll();
        if (next != null) {
            push(framesOut, next);
            if (pending.isEmpty() && inputFinished) {
                complete(framesOut);
            }
        } else if (inputFinished) {
            complete(framesOut);
        } else if (!hasBeenPulled(bytesIn) && !isClosed(bytesIn)) {
            pull(bytesIn);
        }
    }

    /** Synchronous reset for a stream restart: drops the old stream's parser state. */
    protected void resetDecoder() {
        decoder.reset();
    }
}
