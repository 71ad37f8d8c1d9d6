package io.parley.bench.load;

import akka.Done;
import akka.stream.stage.AsyncCallback;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.xml.XmlElement;
import java.util.concurrent.CompletableFuture;

/**
 * One simulated client, as the scenario drives it: futures for login and close, and thread-safe
 * {@link #send} and {@link #close} (they hop onto the client's stream stage).
 */
public final class ClientHandle {

    final CompletableFuture<Jid> bound = new CompletableFuture<>();
    final CompletableFuture<Jid> ready = new CompletableFuture<>();
    final CompletableFuture<Done> closed = new CompletableFuture<>();
    volatile Jid jid;
    private volatile AsyncCallback<XmlElement> sender;
    private volatile AsyncCallback<Done> closer;
    /** Free for the scenario: per-client state. */
    public volatile Object attachment;

    void attach(AsyncCallback<XmlElement> sender, AsyncCallback<Done> closer) {
        this.sender = sender;
        this.closer = closer;
    }

    public Jid jid() {
        return jid;
    }

    /** Completes when the session is bound. */
    public CompletableFuture<Jid> bound() {
        return bound;
    }

    /** Completes when the roster is fetched and initial presence echoed (or at bind, without presence). */
    public CompletableFuture<Jid> ready() {
        return ready;
    }

    /** Completes when the connection ends (exceptionally if it failed). */
    public CompletableFuture<Done> closed() {
        return closed;
    }

    public void send(XmlElement stanza) {
        AsyncCallback<XmlElement> s = sender;
        if (s != null && !closed.isDone()) {
            s.invoke(stanza);
        }
    }

    /** Closes the stream (and the connection). */
    public void close() {
        AsyncCallback<Done> c = closer;
        if (c != null && !closed.isDone()) {
            c.invoke(Done.getInstance());
        }
    }
}
