package io.lakemesh.runtime.cluster;

/** Marker of messages that cross nodes: bound to Jackson CBOR in reference.conf, never Java serialization. */
public interface CborSerializable {}
