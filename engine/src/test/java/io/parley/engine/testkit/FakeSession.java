package io.parley.engine.testkit;

import akka.actor.typed.ActorRef;
import io.parley.engine.ext.Services;
import io.parley.engine.ext.SessionContext;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.xml.XmlElement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/** A session for calling hooks and handlers without a connection: it records what they send and flag. */
public final class FakeSession implements SessionContext {

    private final Jid jid;
    private final Map<Key<?>, Object> attributes = new HashMap<>();
    public final List<XmlElement> sent = new ArrayList<>();
    public final Set<String> flags = new HashSet<>();

    public FakeSession(Jid jid) {
        this.jid = jid;
    }

    @Override
    public Jid jid() {
        return jid;
    }

    @Override
    public String remoteAddress() {
        return "127.0.0.1";
    }

    @Override
    public boolean secure() {
        return true;
    }

    @Override
    public Services services() {
        throw new UnsupportedOperationException("no node behind a fake session");
    }

    @Override
    public ActorRef<ConnectionMessage> self() {
        throw new UnsupportedOperationException("no actor behind a fake session");
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T get(Key<T> key) {
        return (T) attributes.get(key);
    }

    @Override
    public <T> void put(Key<T> key, T value) {
        attributes.put(key, value);
    }

    @Override
    public void send(XmlElement stanza) {
        sent.add(stanza);
    }

    @Override
    public void flag(String flag) {
        flags.add(flag);
    }

    @Override
    public boolean hasFlag(String flag) {
        return flags.contains(flag);
    }

    @Override
    public <T> void whenDone(CompletionStage<T> stage, BiConsumer<T, Throwable> then) {
        stage.whenComplete(then);
    }

    @Override
    public void watch(ActorRef<?> actor, Runnable onStop) {
    }

    @Override
    public void unwatch(ActorRef<?> actor) {
    }

    @Override
    public boolean closing() {
        return false;
    }
}
