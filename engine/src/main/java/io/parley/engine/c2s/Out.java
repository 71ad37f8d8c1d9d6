package io.parley.engine.c2s;

import akka.stream.BoundedSourceQueue;
import io.parley.protocol.stream.OutboundFrame;

/**
 * A connection's outbound side, as its actor writes to it: a bounded queue feeding the
 * serializer (no actor hop, no buffer allocated up front: an idle connection holds an empty
 * linked queue). When the client reads too slowly and the queue fills, the connection fails.
 */
final class Out {

    /** The client did not read what was sent to it; the send queue overflowed. */
    static final class SlowClient extends RuntimeException {
        SlowClient(int limit) {
            super("send queue full (" + limit + " frames): the client does not read", null, false, false);
        }
    }

    private final BoundedSourceQueue<OutboundFrame> queue;
    private final int limit;

    Out(BoundedSourceQueue<OutboundFrame> queue, int limit) {
        this.queue = queue;
        this.limit = limit;
    }

    /** Queues a frame; false (and the connection failed) if the queue was full. */
    boolean send(OutboundFrame frame) {
        if (queue.offer(frame).isEnqueued()) {
            return true;
        }
        queue.fail(new SlowClient(limit));
        return false;
    }

    /** Completes the outbound stream, which closes the TCP connection once what is queued is written. */
    void done() {
        try {
            queue.complete();
        } catch (IllegalStateException alreadyEnded) {
            // completed or failed before (the client closed first, or a slow client was failed)
        }
    }
}
