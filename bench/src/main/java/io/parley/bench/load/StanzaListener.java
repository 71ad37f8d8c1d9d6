package io.parley.bench.load;

import io.parley.protocol.xml.XmlElement;

/** What a scenario does with a client's inbound stanzas: called on that client's stage thread, so quick and thread-safe. */
@FunctionalInterface
public interface StanzaListener {
    void onStanza(ClientHandle client, XmlElement stanza);

    StanzaListener IGNORE = (c, s) -> { };
}
