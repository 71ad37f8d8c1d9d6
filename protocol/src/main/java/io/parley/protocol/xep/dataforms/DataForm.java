package io.parley.protocol.xep.dataforms;

import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * XEP-0004: Data Forms: a form, a submission, a cancellation or a result, with fields and,
 * for multi-item results, reported fields and items.
 */
public record DataForm(Type type, String title, List<String> instructions, List<FormField> fields,
                       List<FormField> reported, List<List<FormField>> items) {

    /** The form types (XEP-0004 section 3.1). */
    public enum Type {
        FORM, SUBMIT, CANCEL, RESULT;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Type fromValue(String v) {
            if (v == null) {
                return null;
            }
            return switch (v) {
                case "form" -> FORM;
                case "submit" -> SUBMIT;
                case "cancel" -> CANCEL;
                case "result" -> RESULT;
                default -> null;
            };
        }
    }

    public DataForm {
        Objects.requireNonNull(type, "type");
        instructions = List.copyOf(instructions);
        fields = List.copyOf(fields);
        reported = List.copyOf(reported);
        items = items.stream().map(List::copyOf).toList();
    }

    public static DataForm of(Type type, List<FormField> fields) {
        return new DataForm(type, null, List.of(), fields, List.of(), List.of());
    }

    /** The field with this var, or {@code null}. */
    public FormField field(String var) {
        for (FormField f : fields) {
            if (var.equals(f.var())) {
                return f;
            }
        }
        return null;
    }

    /** The first value of a field, or {@code null}. */
    public String value(String var) {
        FormField f = field(var);
        return f == null ? null : f.value();
    }

    /** The value of the hidden FORM_TYPE field (XEP-0068), or {@code null}. */
    public String formType() {
        FormField f = field("FORM_TYPE");
        return f == null ? null : f.value();
    }

    /**
     * Validates every field (see {@link FormField#validate()}) and that no var repeats.
     *
     * @return the first problem, or {@code null}
     */
    public String validate() {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (FormField f : fields) {
            if (f.var() != null && !seen.add(f.var())) {
                return "field '" + f.var() + "' appears twice";
            }
            if (f.var() == null && f.effectiveType() != FormField.Type.FIXED) {
                return "a field without var must be fixed";
            }
            String problem = f.validate();
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    public XmlElement toElement() {
        XmlElement.Builder b = XmlElement.builder("x", Namespaces.DATA_FORMS).attr("type", type.value());
        b.textElement("title", Namespaces.DATA_FORMS, title);
        for (String i : instructions) {
            b.textElement("instructions", Namespaces.DATA_FORMS, i);
        }
        for (FormField f : fields) {
            b.child(f.toElement());
        }
        if (!reported.isEmpty()) {
            XmlElement.Builder r = XmlElement.builder("reported", Namespaces.DATA_FORMS);
            reported.forEach(f -> r.child(f.toElement()));
            b.child(r.build());
        }
        for (List<FormField> item : items) {
            XmlElement.Builder i = XmlElement.builder("item", Namespaces.DATA_FORMS);
            item.forEach(f -> i.child(f.toElement()));
            b.child(i.build());
        }
        return b.build();
    }

    /**
     * Reads an {@code <x xmlns='jabber:x:data'/>}.
     *
     * @throws IllegalArgumentException when it is not a data form or is malformed
     */
    public static DataForm fromElement(XmlElement x) {
        if (!x.is("x", Namespaces.DATA_FORMS)) {
            throw new IllegalArgumentException("not a data form: " + x.name());
        }
        Type type = Type.fromValue(x.attr("type"));
        if (type == null) {
            throw new IllegalArgumentException("missing or unknown form type '" + x.attr("type") + "'");
        }
        String title = null;
        List<String> instructions = new ArrayList<>();
        List<FormField> fields = new ArrayList<>();
        List<FormField> reported = new ArrayList<>();
        List<List<FormField>> items = new ArrayList<>();
        for (XmlElement c : x.elements()) {
            if (!c.namespace().equals(Namespaces.DATA_FORMS)) {
                continue;
            }
            switch (c.name()) {
                case "title" -> title = c.text();
                case "instructions" -> instructions.add(c.text());
                case "field" -> fields.add(FormField.fromElement(c));
                case "reported" -> c.elements("field", Namespaces.DATA_FORMS).forEach(f -> reported.add(FormField.fromElement(f)));
                case "item" -> items.add(c.elements("field", Namespaces.DATA_FORMS).stream().map(FormField::fromElement).toList());
                default -> {
                }
            }
        }
        return new DataForm(type, title, instructions, fields, reported, items);
    }
}
