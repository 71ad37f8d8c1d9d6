package io.parley.engine.ext;

import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.Iq;
import io.parley.protocol.stanza.StanzaError;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xml.XmlElement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One IQ request for a handler: the stanza (with {@code from} stamped), its payload, the
 * resolved target, and the node and session it arrived on.
 *
 * @param to the addressed JID resolved: the domain, the sender's own bare JID, or another account's
 */
public record IqRequest(Iq iq, XmlElement payload, Jid from, Jid to, IqTarget target, Services services,
                        SessionContext session) {

    public CompletionStage<IqReply> result(XmlElement payload) {
        return CompletableFuture.completedFuture(IqReply.of(iq.resultReply(payload)));
    }

    public CompletionStage<IqReply> result() {
        return result(null);
    }

    public IqReply resultNow(XmlElement payload) {
        return IqReply.of(iq.resultReply(payload));
    }

    public CompletionStage<IqReply> error(StanzaErrorCondition condition) {
        return CompletableFuture.completedFuture(errorNow(StanzaError.of(condition)));
    }

    public CompletionStage<IqReply> error(StanzaError error) {
        return CompletableFuture.completedFuture(errorNow(error));
    }

    public IqReply errorNow(StanzaError error) {
        return IqReply.of(iq.errorReply(error));
    }

    public IqReply errorNow(StanzaErrorCondition condition) {
        return errorNow(StanzaError.of(condition));
    }
}
