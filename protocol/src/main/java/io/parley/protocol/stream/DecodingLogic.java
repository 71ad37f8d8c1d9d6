package io.parley.protocol.stream;

import akka.stream.Inlet;
import akka.stream.Outlet;
import akka.stream.Shape;
import akka.stream.stage.AbstractInHandler;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.TimerGraphStageLogic;
import akka.util.ByteString;
import java.time.Duration;
import java.util.ArrayList;

/**
 * The inbound half shared by {@link XmppStreamParser} and {@link XmppCodec}: bytes in, frames
 * out, through one {@link XmppStreamDecoder}. All mutable state lives here, one instance per
 * materialisation. Frames decoded from one chunk wait in a queue for demand; the next chunk
 * is pulled only when the queue is empty, so memory stays bounded.
 *
 * <p>A stream that received nothing for a whole {@link #HIBERNATE_CHECK} period lets its
 * decoder {@link XmppStreamDecoder#hibernate() hibernate}: most connections are idle most of
 * the time, and the XML parser's buffers are a good part of what an idle connection costs.
 */
class DecodingLogic extends TimerGraphStageLogic {

    static final Duration HIBERNATE_CHECK = Duration.ofSeconds(10);
    private static final Object HIBERNATE = "hibernate";

    private final Inlet<ByteString> bytesIn;
    private final Outlet<StreamFrame> framesOut;
    protected final XmppStreamDecoder decoder;
    /** Frames of one chunk, filled and emptied within one call: one list per thread. */
    private static final ThreadLocal<ArrayList<StreamFrame>> DECODED = ThreadLocal.withInitial(ArrayList::new);
    private final Fifo<StreamFrame> pending = new Fifo<>();
    private boolean inputFinished;
    private boolean inputSinceCheck;

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

    @Override
    public void preStart() {
        scheduleWithFixedDelay(HIBERNATE, HIBERNATE_CHECK, HIBERNATE_CHECK);
    }

    @Override
    public void onTimer(Object key) {
        if (!inputSinceCheck) {
            decoder.hibernate();
        }
        inputSinceCheck = false;
    }

    private void onBytes(ByteString bytes) {
        inputSinceCheck = true;
        ArrayList<StreamFrame> decoded = DECODED.get();
        try {
            decoder.feed(bytes, decoded);
            decoded.forEach(pending::add);
        } finally {
            decoded.clear();
        }
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
