package io.parley.protocol.stanza;

import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.Objects;

/**
 * A stanza error (RFC 6120 section 8.3): type, defined condition, optional text, optional
 * application-specific condition, and for {@code gone}/{@code redirect} the new address.
 *
 * @param by the entity that generated the error, or {@code null}
 * @param conditionText the content of the condition element ({@code gone}, {@code redirect}), or {@code null}
 */
public record StanzaError(StanzaErrorType type, StanzaErrorCondition condition, String text,
                          XmlElement applicationCondition, String by, String conditionText) {

    public StanzaError {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(condition, "condition");
    }

    /** An error with the condition's recommended type. */
    public static StanzaError of(StanzaErrorCondition condition) {
        return new StanzaError(condition.defaultType(), condition, null, null, null, null);
    }

    public static StanzaError of(StanzaErrorCondition condition, String text) {
        return new StanzaError(condition.defaultType(), condition, text, null, null, null);
    }

    public StanzaError withType(StanzaErrorType newType) {
        return new StanzaError(newType, condition, text, applicationCondition, by, conditionText);
    }

    public StanzaError withApplicationCondition(XmlElement app) {
        return new StanzaError(type, condition, text, app, by, conditionText);
    }

    public StanzaError withBy(String newBy) {
        return new StanzaError(type, condition, text, applicationCondition, newBy, conditionText);
    }

    public StanzaError withConditionText(String uri) {
        return new StanzaError(type, condition, text, applicationCondition, by, uri);
    }

    /** The {@code <error/>} child, in the given stanza namespace. */
    public XmlElement toElement(String stanzaNamespace) {
        return XmlElement.builder("error", stanzaNamespace)
                .attr("type", type.value())
                .attr("by", by)
                .child(XmlElement.builder(condition.elementName(), Namespaces.STANZA_ERRORS).text(conditionText).build())
                .child(text == null ? null : XmlElement.builder("text", Namespaces.STANZA_ERRORS)
                        .attr(Namespaces.XML, "lang", "en").text(text).build())
                .child(applicationCondition)
                .build();
    }

    /**
     * Reads the {@code <error/>} child of an error stanza; {@code null} when there is none.
     * Unknown conditions read as {@code undefined-condition}, unknown types as the condition's default.
     */
    public static StanzaError fromStanza(XmlElement stanza) {
        XmlElement error = stanza.element("error", stanza.namespace());
        if (error == null) {
            return null;
        }
        StanzaErrorCondition condition = StanzaErrorCondition.UNDEFINED_CONDITION;
        String conditionText = null;
        String text = null;
        XmlElement app = null;
        for (XmlElement child : error.elements()) {
            if (child.namespace().equals(Namespaces.STANZA_ERRORS)) {
                if (child.name().equals("text")) {
                    text = child.text();
                } else {
                    StanzaErrorCondition c = StanzaErrorCondition.fromElementName(child.name());
                    if (c != null) {
                        condition = c;
                        String t = child.text();
                        conditionText = t.isEmpty() ? null : t;
                    }
                }
            } else if (app == null) {
                app = child;
            }
        }
        StanzaErrorType type = StanzaErrorType.fromValue(error.attr("type"));
        return new StanzaError(type == null ? condition.defaultType() : type, condition, text, app,
                error.attr("by"), conditionText);
    }
}
