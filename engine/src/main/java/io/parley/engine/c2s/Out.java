package io.parley.engine.c2s;

import akka.actor.NoSerializationVerificationNeeded;
import io.parley.protocol.stream.OutboundFrame;

/** What a connection actor writes into its outbound stream. Local only. */
sealed interface Out extends NoSerializationVerificationNeeded {

    record Frame(OutboundFrame frame) implements Out {
    }

    /** Completes the outbound stream, which closes the TCP connection once written. */
    enum Done implements Out { INSTANCE }
}
