package io.parley.persistence;

import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Events and snapshot states: what goes into the store and must stay readable for as long as the
 * store lives. Bound to the {@code parley-journal} serializer (CBOR, {@code parley/akka-node.conf}),
 * which writes no Java class names: each stored value carries its explicit type name in the
 * {@code @type} property (each class declares it with {@code @JsonTypeName}) and the manifest
 * carries the format version ({@code #N}) that {@code JournalMigration} upgrades older data from.
 * Renaming or moving a class therefore never breaks a store; changing a stored shape means a new
 * version and a migration step.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "@type")
public interface JournalSerializable extends CborSerializable {
}
