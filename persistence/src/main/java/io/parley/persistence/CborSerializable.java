package io.parley.persistence;

/**
 * Marker for every message and event that crosses a node boundary or goes into the journal:
 * bound to Akka's {@code jackson-cbor} serializer in {@code parley/akka-node.conf}.
 */
public interface CborSerializable {
}
