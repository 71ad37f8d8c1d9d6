package io.parley.protocol.xep.dataforms;

import io.parley.protocol.jid.Jid;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * XEP-0004: Data Forms field.
 *
 * @param type the declared type, or {@code null} when the field carried none (text-single in a form)
 */
public record FormField(String var, Type type, String label, String desc, boolean required,
                        List<String> values, List<Option> options) {

    /** Field types (XEP-0004 section 3.3). */
    public enum Type {
        BOOLEAN("boolean"), FIXED("fixed"), HIDDEN("hidden"), JID_MULTI("jid-multi"), JID_SINGLE("jid-single"),
        LIST_MULTI("list-multi"), LIST_SINGLE("list-single"), TEXT_MULTI("text-multi"),
        TEXT_PRIVATE("text-private"), TEXT_SINGLE("text-single");

        private final String value;

        Type(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }

        /** The type for an attribute value, or {@code null} when unknown. */
        public static Type fromValue(String v) {
            for (Type t : values()) {
                if (t.value.equals(v)) {
                    return t;
                }
            }
            return null;
        }

        public boolean isMultiValued() {
            return this == JID_MULTI || this == LIST_MULTI || this == TEXT_MULTI;
        }
    }

    /** A list option: a label and a value. */
    public record Option(String label, String value) {
        public Option {
            Objects.requireNonNull(value, "value");
        }
    }

    public FormField {
        values = List.copyOf(values);
        options = List.copyOf(options);
    }

    public static FormField of(String var, Type type, String... values) {
        return new FormField(var, type, null, null, false, List.of(values), List.of());
    }

    public static FormField hidden(String var, String value) {
        return of(var, Type.HIDDEN, value);
    }

    /** The first value, or {@code null}. */
    public String value() {
        return values.isEmpty() ? null : values.get(0);
    }

    /** The type a form treats this field as: the declared one, text-single when none was given. */
    public Type effectiveType() {
        return type == null ? Type.TEXT_SINGLE : type;
    }

    /** A boolean field's value ("1"/"true" are true); false when absent. */
    public boolean booleanValue() {
        String v = value();
        return "1".equals(v) || "true".equals(v);
    }

    public FormField withValues(List<String> newValues) {
        return new FormField(var, type, label, desc, required, newValues, options);
    }

    /**
     * Checks the values against the type: at most one value for single-valued types, booleans
     * are 0/1/true/false, JIDs parse, list values are among the options when options are given.
     *
     * @return a description of the first problem, or {@code null} when the field is valid
     */
    public String validate() {
        Type t = effectiveType();
        if (!t.isMultiValued() && values.size() > 1) {
            return "field '" + var + "' takes one value";
        }
        if (required && values.isEmpty() && t != Type.FIXED) {
            return "field '" + var + "' is required";
        }
        for (String v : values) {
            switch (t) {
                case BOOLEAN -> {
                    if (!v.equals("0") && !v.equals("1") && !v.equals("true") && !v.equals("false")) {
                        return "field '" + var + "' is not a boolean";
                    }
                }
                case JID_SINGLE, JID_MULTI -> {
                    if (Jid.ofOrNull(v) == null) {
                        return "field '" + var + "' holds an invalid JID";
                    }
                }
                case LIST_SINGLE, LIST_MULTI -> {
                    if (!options.isEmpty() && options.stream().noneMatch(o -> o.value().equals(v))) {
                        return "field '" + var + "' has a value that is not an option";
                    }
                }
                default -> {
                }
            }
        }
        return null;
    }

    public XmlElement toElement() {
        XmlElement.Builder b = XmlElement.builder("field", Namespaces.DATA_FORMS)
                .attr("var", var)
                .attr("type", type == null ? null : type.value())
                .attr("label", label);
        b.textElement("desc", Namespaces.DATA_FORMS, desc);
        if (required) {
            b.child(XmlElement.of("required", Namespaces.DATA_FORMS));
        }
        for (String v : values) {
            b.child(XmlElement.builder("value", Namespaces.DATA_FORMS).text(v).build());
        }
        for (Option o : options) {
            b.child(XmlElement.builder("option", Namespaces.DATA_FORMS).attr("label", o.label())
                    .child(XmlElement.builder("value", Namespaces.DATA_FORMS).text(o.value()).build()).build());
        }
        return b.build();
    }

    /**
     * Reads a {@code <field/>}.
     *
     * @throws IllegalArgumentException for an unknown type or an option without a value
     */
    public static FormField fromElement(XmlElement e) {
        String typeAttr = e.attr("type");
        Type type = typeAttr == null ? null : Type.fromValue(typeAttr);
        if (typeAttr != null && type == null) {
            throw new IllegalArgumentException("unknown field type '" + typeAttr + "'");
        }
        List<String> values = new ArrayList<>();
        List<Option> options = new ArrayList<>();
        for (XmlElement c : e.elements()) {
            if (!c.namespace().equals(Namespaces.DATA_FORMS)) {
                continue;
            }
            switch (c.name()) {
                case "value" -> values.add(c.text());
                case "option" -> {
                    String v = c.elementText("value", Namespaces.DATA_FORMS);
                    if (v == null) {
                        throw new IllegalArgumentException("option without a value");
                    }
                    options.add(new Option(c.attr("label"), v));
                }
                default -> {
                }
            }
        }
        return new FormField(e.attr("var"), type, e.attr("label"), e.elementText("desc", Namespaces.DATA_FORMS),
                e.element("required", Namespaces.DATA_FORMS) != null, values, options);
    }
}
