package io.parley.protocol.xep.caps;

import io.parley.protocol.xep.dataforms.DataForm;
import io.parley.protocol.xep.dataforms.FormField;
import io.parley.protocol.xep.disco.DiscoIdentity;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * XEP-0115: Entity Capabilities: the verification string of section 5.1 and its hash, and
 * the {@code <c/>} element.
 */
public final class EntityCaps {

    private static final Comparator<DiscoIdentity> IDENTITY_ORDER = Comparator
            .comparing(DiscoIdentity::category)
            .thenComparing(DiscoIdentity::type)
            .thenComparing(i -> nz(i.lang()))
            .thenComparing(i -> nz(i.name()));

    private EntityCaps() {
    }

    /**
     * The verification string S of XEP-0115 section 5.1.
     *
     * @throws IllegalArgumentException for input section 5.4 calls invalid: duplicate
     *     identities or features, several extended forms with one FORM_TYPE, or a FORM_TYPE
     *     field that is not hidden
     */
    public static String verificationString(List<DiscoIdentity> identities, List<String> features, List<DataForm> forms) {
        StringBuilder s = new StringBuilder();
        List<DiscoIdentity> ids = new ArrayList<>(identities);
        ids.sort(IDENTITY_ORDER);
        for (int i = 0; i < ids.size(); i++) {
            DiscoIdentity id = ids.get(i);
            if (i > 0 && IDENTITY_ORDER.compare(ids.get(i - 1), id) == 0) {
                throw new IllegalArgumentException("duplicate identity " + id);
            }
            s.append(id.category()).append('/').append(id.type()).append('/')
                    .append(nz(id.lang())).append('/').append(nz(id.name())).append('<');
        }
        List<String> fs = new ArrayList<>(features);
        fs.sort(Comparator.naturalOrder());
        for (int i = 0; i < fs.size(); i++) {
            if (i > 0 && fs.get(i - 1).equals(fs.get(i))) {
                throw new IllegalArgumentException("duplicate feature " + fs.get(i));
            }
            s.append(fs.get(i)).append('<');
        }
        List<DataForm> typed = new ArrayList<>();
        Set<String> formTypes = new HashSet<>();
        for (DataForm f : forms) {
            FormField ft = f.field("FORM_TYPE");
            if (ft == null) {
                continue; // forms without FORM_TYPE are ignored
            }
            if (ft.type() != FormField.Type.HIDDEN) {
                throw new IllegalArgumentException("FORM_TYPE must be a hidden field");
            }
            if (!formTypes.add(nz(ft.value()))) {
                throw new IllegalArgumentException("two extended forms with FORM_TYPE " + ft.value());
            }
            typed.add(f);
        }
        typed.sort(Comparator.comparing(f -> nz(f.formType())));
        for (DataForm f : typed) {
            s.append(nz(f.formType())).append('<');
            List<FormField> fields = new ArrayList<>();
            for (FormField field : f.fields()) {
                if (field.var() != null && !field.var().equals("FORM_TYPE")) {
                    fields.add(field);
                }
            }
            fields.sort(Comparator.comparing(FormField::var));
            for (FormField field : fields) {
                s.append(field.var()).append('<');
                List<String> values = new ArrayList<>(field.values());
                values.sort(Comparator.naturalOrder());
                for (String v : values) {
                    s.append(v).append('<');
                }
            }
        }
        return s.toString();
    }

    /** The {@code ver} value: base64 of the hash of S ({@code sha-1} by default, or {@code sha-256}, ...). */
    public static String ver(String hashName, List<DiscoIdentity> identities, List<String> features, List<DataForm> forms) {
        String javaName = switch (Objects.requireNonNull(hashName)) {
            case "sha-1" -> "SHA-1";
            case "sha-224" -> "SHA-224";
            case "sha-256" -> "SHA-256";
            case "sha-384" -> "SHA-384";
            case "sha-512" -> "SHA-512";
            default -> throw new IllegalArgumentException("unsupported hash " + hashName);
        };
        try {
            byte[] digest = MessageDigest.getInstance(javaName)
                    .digest(verificationString(identities, features, forms).getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The SHA-1 {@code ver} of a disco#info {@code <query/>} result. */
    public static String ver(XmlElement discoInfoQuery) {
        List<DiscoIdentity> identities = new ArrayList<>();
        List<String> features = new ArrayList<>();
        List<DataForm> forms = new ArrayList<>();
        for (XmlElement c : discoInfoQuery.elements()) {
            if (c.is("identity", Namespaces.DISCO_INFO)) {
                identities.add(DiscoIdentity.fromElement(c));
            } else if (c.is("feature", Namespaces.DISCO_INFO)) {
                features.add(nz(c.attr("var")));
            } else if (c.is("x", Namespaces.DATA_FORMS)) {
                forms.add(DataForm.fromElement(c));
            }
        }
        return ver("sha-1", identities, features, forms);
    }

    /** {@code <c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node=... ver=.../>}. */
    public static XmlElement element(String node, String ver) {
        return XmlElement.builder("c", Namespaces.CAPS).attr("hash", "sha-1").attr("node", node).attr("ver", ver).build();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
