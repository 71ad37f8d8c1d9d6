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
import java.nio.ByteBuffer;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * TLS that can start in the middle of a connection (STARTTLS) or at its first byte (Direct
 * TLS, XEP-0368), on a plain {@link SSLEngine}:
 * <pre>
 *   plaintext from the codec  --> [plain | wrap]   --> bytes to TCP
 *   plaintext to the codec    <-- [plain | unwrap] <-- bytes from TCP
 * </pre>
 * It passes bytes through untouched until {@link XmppCodec#START_TLS} arrives from above. Then
 * it creates its engine and begins the handshake: a client engine sends its ClientHello at
 * once; a server engine waits for the peer's, and until that arrives plaintext from above (the
 * {@code <proceed/>} written after the marker) still goes out in the clear. From the first TLS
 * byte on, everything is wrapped and unwrapped. The marker travels in order with the data, so
 * no peer byte can be read in the wrong mode.
 *
 * <p>Delegated handshake tasks run on the stage's thread (they are CPU-bound and short).
 * An {@link SSLException} fails the stage, which closes the connection. Finishing the
 * plaintext input sends close_notify before the network side completes.
 */
public final class StartTlsStage extends GraphStage<BidiShape<ByteString, ByteString, ByteString, ByteString>> {

    private final Inlet<ByteString> plainIn = Inlet.create("StartTls.plainIn");
    private final Outlet<ByteString> cipherOut = Outlet.create("StartTls.cipherOut");
    private final Inlet<ByteString> cipherIn = Inlet.create("StartTls.cipherIn");
    private final Outlet<ByteString> plainOut = Outlet.create("StartTls.plainOut");
    private final BidiShape<ByteString, ByteString, ByteString, ByteString> shape =
            BidiShape.of(plainIn, cipherOut, cipherIn, plainOut);
    private final Supplier<SSLEngine> engines;
    private final boolean immediate;

    /**
     * @param engines makes the engine (client or server mode, configured) when TLS starts
     * @param immediate start TLS at once (Direct TLS) instead of waiting for the marker
     */
    public StartTlsStage(Supplier<SSLEngine> engines, boolean immediate) {
        this.engines = engines;
        this.immediate = immediate;
    }

    /** Top: plaintext down to the network; bottom: network up to plaintext. */
    public static BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> bidi(
            Supplier<SSLEngine> engines, boolean immediate) {
        return BidiFlow.fromGraph(new StartTlsStage(engines, immediate));
    }

    @Override
    public BidiShape<ByteString, ByteString, ByteString, ByteString> shape() {
        return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes inheritedAttributes) {
        return new Logic();
    }

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    /**
     * Per-thread buffers for the engine: a connection keeps no 16 KB buffers of its own between
     * events (an idle connection holds only its engine and any partial record), which is most of
     * what an idle TLS session would otherwise cost. Used only within one synchronous call.
     */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        /** Above this a one-off buffer serves, so a thread does not keep a huge one. */
        private static final int KEEP = 1 << 20;
        private ByteBuffer netIn = ByteBuffer.allocate(0);
        private ByteBuffer netOut = ByteBuffer.allocate(0);
        private ByteBuffer appIn = ByteBuffer.allocate(0);

        ByteBuffer netIn(int size) {
            if (netIn.capacity() < size) {
                ByteBuffer b = ByteBuffer.allocate(size);
                if (size > KEEP) {
                    return b;
                }
                netIn = b;
            }
            return netIn.clear();
        }

        ByteBuffer netOut(int size) {
            if (netOut.capacity() < size) {
                netOut = ByteBuffer.allocate(size);
            }
            return netOut.clear();
        }

        void growNetOut() {
            netOut = ByteBuffer.allocate(netOut.capacity() * 2);
        }

        ByteBuffer appIn(int size) {
            if (appIn.capacity() < size) {
                appIn = ByteBuffer.allocate(size);
            }
            return appIn.clear();
        }

        void growAppIn() {
            appIn = ByteBuffer.allocate(appIn.capacity() * 2);
        }
    }

    private final class Logic extends GraphStageLogic {
        private SSLEngine engine;
        /** TLS bytes have flowed: from now on both directions go through the engine. */
        private boolean active;
        /** Network bytes received but not yet unwrapped (an incomplete record); usually empty. */
        private ByteString pendingNet = ByteString.emptyByteString();
        private ByteBuffer plainSrc;
        private final Fifo<ByteString> plainToWrap = new Fifo<>();
        private final Fifo<ByteString> toNetwork = new Fifo<>();
        private final Fifo<ByteString> toApp = new Fifo<>();
        private boolean plainInFinished;
        private boolean cipherInFinished;
        private boolean inboundClosed;

        Logic() {
            super(shape);
            setHandler(plainIn, new AbstractInHandler() {
                @Override
                public void onPush() {
                    ByteString bytes = grab(plainIn);
                    if (bytes == XmppCodec.START_TLS) {
                        if (engine == null) {
                            startTls();
                        }
                    } else if (!active) {
                        toNetwork.add(bytes);
                    } else {
                        plainToWrap.add(bytes);
                        pump();
                    }
                    flushAndPull();
                }

                @Override
                public void onUpstreamFinish() {
                    plainInFinished = true;
                    if (active) {
                        engine.closeOutbound();
                        pump();
                    }
                    flushAndPull();
                }
            });
            setHandler(cipherIn, new AbstractInHandler() {
                @Override
                public void onPush() {
                    ByteString bytes = grab(cipherIn);
                    if (engine == null) {
                        toApp.add(bytes);
                    } else {
                        active = true;
                        appendNetIn(bytes);
                        pump();
                    }
                    flushAndPull();
                }

                @Override
                public void onUpstreamFinish() {
                    cipherInFinished = true;
                    if (active && !inboundClosed) {
                        try {
                            engine.closeInbound();
                        } catch (SSLException e) {
                            // the peer closed TCP without close_notify: nothing more can arrive anyway
                        }
                        inboundClosed = true;
                    }
                    flushAndPull();
                }
            });
            setHandler(plainOut, new AbstractOutHandler() {
                @Override
                public void onPull() {
                    flushAndPull();
                }

                @Override
                public void onDownstreamFinish(Throwable cause) {
                    cancel(cipherIn, cause);
                    if (isClosed(cipherOut)) {
                        completeStage();
                    }
                }
            });
            setHandler(cipherOut, new AbstractOutHandler() {
                @Override
                public void onPull() {
                    flushAndPull();
                }

                @Override
                public void onDownstreamFinish(Throwable cause) {
                    cancel(plainIn, cause);
                    completeStage();
                }
            });
        }

        @Override
        public void preStart() {
            if (immediate) {
                startTls();
            }
        }

        private void startTls() {
            engine = engines.get();
            try {
                engine.beginHandshake();
            } catch (SSLException e) {
                failStage(e);
                return;
            }
            if (engine.getUseClientMode()) {
                active = true;
                pump();
            }
        }

        private void appendNetIn(ByteString bytes) {
            pendingNet = pendingNet.isEmpty() ? bytes : pendingNet.concat(bytes);
        }

        /** Runs the engine until it can make no more progress with what it has. */
        private void pump() {
            try {
                boolean progress = true;
                while (progress) {
                    progress = false;
                    HandshakeStatus hs = engine.getHandshakeStatus();
                    if (hs == HandshakeStatus.NEED_TASK) {
                        Runnable task;
                        while ((task = engine.getDelegatedTask()) != null) {
                            task.run();
                        }
                        progress = true;
                        continue;
                    }
                    if (hs == HandshakeStatus.NEED_WRAP || (!isHandshaking(hs) && wantsWrap())) {
                        progress |= wrap();
                    }
                    hs = engine.getHandshakeStatus();
                    if (!pendingNet.isEmpty() && !inboundClosed && hs != HandshakeStatus.NEED_WRAP && hs != HandshakeStatus.NEED_TASK) {
                        progress |= unwrap();
                    }
                }
            } catch (SSLException e) {
                failStage(e);
            }
        }

        private boolean isHandshaking(HandshakeStatus hs) {
            return hs != HandshakeStatus.NOT_HANDSHAKING && hs != HandshakeStatus.FINISHED;
        }

        private boolean wantsWrap() {
            return !engine.isOutboundDone() && (plainSrc != null || !plainToWrap.isEmpty() || plainInFinished);
        }

        private boolean wrap() throws SSLException {
            if (plainSrc == null && !plainToWrap.isEmpty()) {
                plainSrc = plainToWrap.poll().asByteBuffer();
            }
            ByteBuffer src = plainSrc == null ? EMPTY : plainSrc;
            Scratch scratch = SCRATCH.get();
            ByteBuffer netOut = scratch.netOut(engine.getSession().getPacketBufferSize());
            SSLEngineResult r = engine.wrap(src, netOut);
            if (plainSrc != null && !plainSrc.hasRemaining()) {
                plainSrc = null;
            }
            switch (r.getStatus()) {
                case BUFFER_OVERFLOW -> {
                    scratch.growNetOut();
                    return true;
                }
                case BUFFER_UNDERFLOW -> throw new SSLException("unexpected underflow on wrap");
                default -> {
                    if (r.bytesProduced() > 0) {
                        netOut.flip();
                        toNetwork.add(ByteString.fromByteBuffer(netOut));
                    }
                    return r.bytesConsumed() > 0 || r.bytesProduced() > 0;
                }
            }
        }

        /**
         * Unwraps as many whole records as {@link #pendingNet} holds, while the handshake does not
         * need anything else first. The engine decrypts in place, so the bytes are copied into
         * this thread's scratch buffer; what is left (part of a record) stays in pendingNet.
         */
        private boolean unwrap() throws SSLException {
            Scratch scratch = SCRATCH.get();
            ByteBuffer in = scratch.netIn(Math.max(pendingNet.size(), engine.getSession().getPacketBufferSize()));
            pendingNet.copyToBuffer(in);
            in.flip();
            boolean progress = false;
            try {
                while (in.hasRemaining()) {
                    ByteBuffer app = scratch.appIn(engine.getSession().getApplicationBufferSize());
                    SSLEngineResult r = engine.unwrap(in, app);
                    if (app.position() > 0) {
                        app.flip();
                        toApp.add(ByteString.fromByteBuffer(app));
                    }
                    progress |= r.bytesConsumed() > 0 || r.bytesProduced() > 0;
                    switch (r.getStatus()) {
                        case BUFFER_UNDERFLOW -> {
                            return progress;
                        }
                        case BUFFER_OVERFLOW -> {
                            scratch.growAppIn();
                            progress = true;
                            continue;
                        }
                        case CLOSED -> {
                            inboundClosed = true;
                            return progress;
                        }
                        default -> {
                            if (isHandshaking(r.getHandshakeStatus()) && r.getHandshakeStatus() != HandshakeStatus.NEED_UNWRAP) {
                                return progress;
                            }
                        }
                    }
                }
                return progress;
            } finally {
                pendingNet = in.hasRemaining() ? ByteString.fromByteBuffer(in) : ByteString.emptyByteString();
            }
        }

        /** Pushes what is ready, completes finished directions, and pulls where there is room. */
        private void flushAndPull() {
            if (!toApp.isEmpty() && isAvailable(plainOut)) {
                push(plainOut, toApp.poll());
            }
            if (!toNetwork.isEmpty() && isAvailable(cipherOut)) {
                push(cipherOut, toNetwork.poll());
            }
            boolean inboundDone = cipherInFinished || inboundClosed;
            if (toApp.isEmpty() && inboundDone && !isClosed(plainOut)) {
                complete(plainOut);
            }
            boolean outboundDone = plainInFinished && plainSrc == null && plainToWrap.isEmpty()
                    && (!active || engine.isOutboundDone());
            if (toNetwork.isEmpty() && outboundDone && !isClosed(cipherOut)) {
                complete(cipherOut);
            }
            if (!isClosed(cipherIn) && !hasBeenPulled(cipherIn) && toApp.isEmpty() && !inboundClosed) {
                pull(cipherIn);
            }
            if (!isClosed(plainIn) && !hasBeenPulled(plainIn) && toNetwork.isEmpty()
                    && plainSrc == null && plainToWrap.isEmpty()) {
                pull(plainIn);
            }
        }
    }
}
