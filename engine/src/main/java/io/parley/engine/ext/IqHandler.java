package io.parley.engine.ext;

import java.util.concurrent.CompletionStage;

/**
 * Answers one kind of IQ request. Called on the connection's thread; it may read and change
 * session state there, then return a stage (asking entities, say) that completes with the reply.
 * It never writes to the socket: the connection sends what the stage yields.
 */
@FunctionalInterface
public interface IqHandler {
    CompletionStage<IqReply> handle(IqRequest request);
}
