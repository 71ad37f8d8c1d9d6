package io.parley.protocol.xml;

/** A node of the immutable XML model: an element or a run of text. */
public sealed interface XmlNode permits XmlElement, XmlText {
}
