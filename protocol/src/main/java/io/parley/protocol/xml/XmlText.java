package io.parley.protocol.xml;

import java.util.Objects;

/** A run of character data (never empty; adjacent runs are merged by the builders). */
public record XmlText(String text) implements XmlNode {
    public XmlText {
        Objects.requireNonNull(text, "text");
    }

    @Override
    public String toString() {
        return text;
    }
}
