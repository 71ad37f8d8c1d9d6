package io.parley.protocol.xml;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * An immutable XML element: a local name, a namespace name, attributes in document order and
 * children (elements and text). Namespace prefixes are not part of the model; the serializer
 * chooses them. Modifying methods return a new element that shares everything unchanged, so a
 * router can restamp {@code from} on a stanza without copying its payload.
 *
 * <p>Attributes are held flat as (namespace, local name, value) triples; the namespace of an
 * unqualified attribute is the empty string.
 */
public final class XmlElement implements XmlNode {

    private static final String[] NO_ATTRS = new String[0];
    private static final XmlNode[] NO_CHILDREN = new XmlNode[0];

    private final String name;
    private final String namespace;
    private final String[] attrs;
    private final XmlNode[] children;
    private int hash;

    XmlElement(String name, String namespace, String[] attrs, XmlNode[] children) {
        this.name = name;
        this.namespace = namespace;
        this.attrs = attrs;
        this.children = children;
    }

    /** An empty element. */
    public static XmlElement of(String name, String namespace) {
        return new XmlElement(checkName(name), Objects.requireNonNull(namespace, "namespace"), NO_ATTRS, NO_CHILDREN);
    }

    /**
     * Wraps arrays a decoder has just built, without copying: attribute triples (namespace,
     * local name, value) and children in which no text is empty and no two texts are adjacent.
     * The caller must not touch the arrays afterwards.
     */
    public static XmlElement ofParsed(String name, String namespace, String[] attrTriples, XmlNode[] children) {
        return new XmlElement(name, namespace,
                attrTriples.length == 0 ? NO_ATTRS : attrTriples,
                children.length == 0 ? NO_CHILDREN : children);
    }

    public static Builder builder(String name, String namespace) {
        return new Builder(name, namespace);
    }

    /** A builder that starts with this element's name, namespace, attributes and children. */
    public Builder toBuilder() {
        Builder b = new Builder(name, namespace);
        b.attrs.addAll(Arrays.asList(attrs));
        b.children.addAll(Arrays.asList(children));
        return b;
    }

    public String name() {
        return name;
    }

    /** The namespace name; the empty string for none. */
    public String namespace() {
        return namespace;
    }

    public boolean is(String name, String namespace) {
        return this.name.equals(name) && this.namespace.equals(namespace);
    }

    // ---- attributes -----------------------------------------------------------------------------

    /** The value of an unqualified attribute, or {@code null}. */
    public String attr(String localName) {
        String[] a = attrs;
        for (int i = 0; i < a.length; i += 3) {
            if (a[i + 1].equals(localName) && a[i].isEmpty()) {
                return a[i + 2];
            }
        }
        return null;
    }

    /** The value of a namespace-qualified attribute, or {@code null}. */
    public String attr(String attrNamespace, String localName) {
        String[] a = attrs;
        for (int i = 0; i < a.length; i += 3) {
            if (a[i + 1].equals(localName) && a[i].equals(attrNamespace)) {
                return a[i + 2];
            }
        }
        return null;
    }

    /** {@code xml:lang}, or {@code null}. */
    public String lang() {
        return attr(Namespaces.XML, "lang");
    }

    public int attributeCount() {
        return attrs.length / 3;
    }

    public String attributeNamespace(int index) {
        return attrs[index * 3];
    }

    public String attributeName(int index) {
        return attrs[index * 3 + 1];
    }

    public String attributeValue(int index) {
        return attrs[index * 3 + 2];
    }

    /** This element with an unqualified attribute set (replaced in place, or appended), or removed when value is null. */
    public XmlElement withAttr(String localName, String value) {
        return withAttr("", localName, value);
    }

    /** This element with an attribute set (replaced in place, or appended), or removed when value is null. */
    public XmlElement withAttr(String attrNamespace, String localName, String value) {
        String[] a = attrs;
        for (int i = 0; i < a.length; i += 3) {
            if (a[i + 1].equals(localName) && a[i].equals(attrNamespace)) {
                if (value == null) {
                    String[] n = new String[a.length - 3];
                    System.arraycopy(a, 0, n, 0, i);
                    System.arraycopy(a, i + 3, n, i, a.length - i - 3);
                    return new XmlElement(name, namespace, n, children);
                }
                if (value.equals(a[i + 2])) {
                    return this;
                }
                String[] n = a.clone();
                n[i + 2] = value;
                return new XmlElement(name, namespace, n, children);
            }
        }
        if (value == null) {
            return this;
        }
        String[] n = Arrays.copyOf(a, a.length + 3);
        n[a.length] = Objects.requireNonNull(attrNamespace);
        n[a.length + 1] = checkName(localName);
        n[a.length + 2] = value;
        return new XmlElement(name, namespace, n, children);
    }

    // ---- children -------------------------------------------------------------------------------

    /** All children, elements and text, in order. */
    public List<XmlNode> children() {
        return Collections.unmodifiableList(Arrays.asList(children));
    }

    public int childCount() {
        return children.length;
    }

    public XmlNode child(int index) {
        return children[index];
    }

    /** The child elements, in order. */
    public List<XmlElement> elements() {
        List<XmlElement> out = new ArrayList<>(children.length);
        for (XmlNode n : children) {
            if (n instanceof XmlElement e) {
                out.add(e);
            }
        }
        return out;
    }

    /** The child elements with the given name and namespace. */
    public List<XmlElement> elements(String childName, String childNamespace) {
        List<XmlElement> out = new ArrayList<>(2);
        for (XmlNode n : children) {
            if (n instanceof XmlElement e && e.is(childName, childNamespace)) {
                out.add(e);
            }
        }
        return out;
    }

    /** The first child element with the given name and namespace, or {@code null}. */
    public XmlElement element(String childName, String childNamespace) {
        for (XmlNode n : children) {
            if (n instanceof XmlElement e && e.name.equals(childName) && e.namespace.equals(childNamespace)) {
                return e;
            }
        }
        return null;
    }

    /** The first child element in the given namespace, or {@code null}. */
    public XmlElement elementIn(String childNamespace) {
        for (XmlNode n : children) {
            if (n instanceof XmlElement e && e.namespace.equals(childNamespace)) {
                return e;
            }
        }
        return null;
    }

    /** The first child element, or {@code null}. */
    public XmlElement firstElement() {
        for (XmlNode n : children) {
            if (n instanceof XmlElement e) {
                return e;
            }
        }
        return null;
    }

    /** The text of the first matching child element, or {@code null} when there is no such child. */
    public String elementText(String childName, String childNamespace) {
        XmlElement e = element(childName, childNamespace);
        return e == null ? null : e.text();
    }

    /** The concatenated text children of this element (not of its descendants); "" when there is none. */
    public String text() {
        String single = null;
        StringBuilder b = null;
        for (XmlNode n : children) {
            if (n instanceof XmlText t) {
                if (single == null) {
                    single = t.text();
                } else {
                    if (b == null) {
                        b = new StringBuilder(single);
                    }
                    b.append(t.text());
                }
            }
        }
        return b != null ? b.toString() : single == null ? "" : single;
    }

    public boolean hasChildren() {
        return children.length > 0;
    }

    /** This element with one more child appended (text next to text is merged, empty text ignored). */
    public XmlElement withChild(XmlNode child) {
        Objects.requireNonNull(child, "child");
        if (child instanceof XmlText t) {
            if (t.text().isEmpty()) {
                return this;
            }
            if (children.length > 0 && children[children.length - 1] instanceof XmlText last) {
                XmlNode[] n = children.clone();
                n[n.length - 1] = new XmlText(last.text() + t.text());
                return new XmlElement(name, namespace, attrs, n);
            }
        }
        XmlNode[] n = Arrays.copyOf(children, children.length + 1);
        n[children.length] = child;
        return new XmlElement(name, namespace, attrs, n);
    }

    /** This element with its children replaced. */
    public XmlElement withChildren(List<? extends XmlNode> newChildren) {
        Builder b = new Builder(name, namespace);
        b.attrs.addAll(Arrays.asList(attrs));
        for (XmlNode c : newChildren) {
            b.child(c);
        }
        return new XmlElement(name, namespace, attrs, b.children.toArray(NO_CHILDREN));
    }

    /** This element without the children that match. */
    public XmlElement withoutChildren(Predicate<XmlNode> match) {
        List<XmlNode> kept = new ArrayList<>(children.length);
        for (XmlNode c : children) {
            if (!match.test(c)) {
                kept.add(c);
            }
        }
        return kept.size() == children.length ? this : withChildren(kept);
    }

    /** This element with no children. */
    public XmlElement withoutChildren() {
        return children.length == 0 ? this : new XmlElement(name, namespace, attrs, NO_CHILDREN);
    }

    // ---- identity -------------------------------------------------------------------------------

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof XmlElement e)) {
            return false;
        }
        return name.equals(e.name) && namespace.equals(e.namespace) && Arrays.equals(attrs, e.attrs)
                && Arrays.equals(children, e.children);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = name.hashCode() * 31 + namespace.hashCode();
            h = h * 31 + Arrays.hashCode(attrs);
            h = h * 31 + Arrays.hashCode(children);
            hash = h == 0 ? 1 : h;
        }
        return h;
    }

    /** The element serialised as standalone XML (its namespace declared on it). */
    @Override
    public String toString() {
        return XmlWriter.toXml(this);
    }

    static String checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("element and attribute names must not be empty");
        }
        return name;
    }

    String[] rawAttrs() {
        return attrs;
    }

    XmlNode[] rawChildren() {
        return children;
    }

    /** Builds an element; text added next to text is merged and empty text is dropped. */
    public static final class Builder {
        private final String name;
        private final String namespace;
        private final ArrayList<String> attrs = new ArrayList<>(6);
        private final ArrayList<XmlNode> children = new ArrayList<>(4);

        Builder(String name, String namespace) {
            this.name = checkName(name);
            this.namespace = Objects.requireNonNull(namespace, "namespace");
        }

        /** Sets an unqualified attribute; a null value is ignored. */
        public Builder attr(String localName, String value) {
            return attr("", localName, value);
        }

        /** Sets a qualified attribute, replacing an earlier one of the same name; a null value is ignored. */
        public Builder attr(String attrNamespace, String localName, String value) {
            if (value == null) {
                return this;
            }
            checkName(localName);
            for (int i = 0; i < attrs.size(); i += 3) {
                if (attrs.get(i + 1).equals(localName) && attrs.get(i).equals(attrNamespace)) {
                    attrs.set(i + 2, value);
                    return this;
                }
            }
            attrs.add(Objects.requireNonNull(attrNamespace));
            attrs.add(localName);
            attrs.add(value);
            return this;
        }

        /** Appends a child; null is ignored. */
        public Builder child(XmlNode child) {
            if (child == null) {
                return this;
            }
            if (child instanceof XmlText t) {
                return text(t.text());
            }
            children.add(child);
            return this;
        }

        public Builder children(Iterable<? extends XmlNode> nodes) {
            for (XmlNode n : nodes) {
                child(n);
            }
            return this;
        }

        /** Appends text; null and empty text are ignored. */
        public Builder text(String text) {
            if (text == null || text.isEmpty()) {
                return this;
            }
            int last = children.size() - 1;
            if (last >= 0 && children.get(last) instanceof XmlText t) {
                children.set(last, new XmlText(t.text() + text));
            } else {
                children.add(new XmlText(text));
            }
            return this;
        }

        /** Appends a child element {@code <name xmlns=ns>text</name>} in the given namespace. */
        public Builder textElement(String childName, String childNamespace, String text) {
            if (text == null) {
                return this;
            }
            return child(XmlElement.builder(childName, childNamespace).text(text).build());
        }

        public XmlElement build() {
            return new XmlElement(name, namespace,
                    attrs.isEmpty() ? NO_ATTRS : attrs.toArray(NO_ATTRS),
                    children.isEmpty() ? NO_CHILDREN : children.toArray(NO_CHILDREN));
        }
    }
}
