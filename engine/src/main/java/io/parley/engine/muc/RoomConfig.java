package io.parley.engine.muc;

import io.parley.protocol.jid.Jid;
import io.parley.protocol.xep.dataforms.DataForm;
import io.parley.protocol.xep.dataforms.FormField;
import io.parley.protocol.xml.Namespaces;
import java.util.ArrayList;
import java.util.List;

/**
 * A room's configuration (XEP-0045 section 10.2 and the {@code muc#roomconfig} form of section
 * 15.5.3). Immutable; {@link #applyForm} checks a submitted form and returns the new one.
 *
 * @param whoisAnyone non-anonymous: every occupant sees every occupant's real JID (else only moderators)
 * @param allowPrivateMessages who may send private messages: anyone, participants, moderators or none
 * @param maxUsers 0 for the service's limit
 * @param historyLength messages kept for new occupants
 */
public record RoomConfig(String name, String description, boolean persistent, boolean publicRoom, boolean membersOnly,
                         boolean moderated, String password, boolean whoisAnyone, boolean changeSubject,
                         boolean allowInvites, String allowPrivateMessages, int maxUsers, int historyLength,
                         boolean logging) {

    public static final String FORM_TYPE = Namespaces.MUC_ROOMCONFIG;
    static final List<String> PM_OPTIONS = List.of("anyone", "participants", "moderators", "none");

    /** What a room starts with (an instant room keeps it): temporary, public, open, unmoderated, semi-anonymous. */
    public static RoomConfig defaults(int historyLength) {
        return new RoomConfig("", "", false, true, false, false, null, false, false, true, "anyone", 0, historyLength, false);
    }

    /** What changed from {@code before}, for the operation log: "name=value, ..."; a password only as changed. */
    public String changesFrom(RoomConfig before) {
        StringBuilder b = new StringBuilder();
        for (java.lang.reflect.RecordComponent c : RoomConfig.class.getRecordComponents()) {
            try {
                Object was = before == null ? null : c.getAccessor().invoke(before);
                Object now = c.getAccessor().invoke(this);
                if (!java.util.Objects.equals(was, now)) {
                    b.append(b.length() == 0 ? "" : ", ").append(c.getName())
                            .append(c.getName().equals("password") ? " changed" : "=" + now);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return b.toString();
    }

    /** Never the password. */
    @Override
    public String toString() {
        return "RoomConfig[" + changesFrom(null).replace("password changed", passwordProtected() ? "password set" : "no password") + "]";
    }

    public boolean passwordProtected() {
        return password != null && !password.isEmpty();
    }

    /**
     * The configuration form an owner gets (section 10.2), with the current values and the
     * owner and admin lists.
     */
    public DataForm toForm(List<Jid> owners, List<Jid> admins, int serviceMaxUsers, int maxHistory) {
        List<FormField> f = new ArrayList<>();
        f.add(FormField.hidden("FORM_TYPE", FORM_TYPE));
        f.add(field("muc#roomconfig_roomname", FormField.Type.TEXT_SINGLE, "Natural-Language Room Name", name));
        f.add(field("muc#roomconfig_roomdesc", FormField.Type.TEXT_SINGLE, "Short Description of Room", description));
        f.add(bool("muc#roomconfig_persistentroom", "Make Room Persistent?", persistent));
        f.add(bool("muc#roomconfig_publicroom", "Make Room Publicly Searchable?", publicRoom));
        f.add(bool("muc#roomconfig_membersonly", "Make Room Members-Only?", membersOnly));
        f.add(bool("muc#roomconfig_moderatedroom", "Make Room Moderated?", moderated));
        f.add(bool("muc#roomconfig_passwordprotectedroom", "Password Required to Enter?", passwordProtected()));
        f.add(field("muc#roomconfig_roomsecret", FormField.Type.TEXT_PRIVATE, "Password", password == null ? "" : password));
        f.add(new FormField("muc#roomconfig_whois", FormField.Type.LIST_SINGLE, "Who May Discover Real JIDs?", null, false,
                List.of(whoisAnyone ? "anyone" : "moderators"),
                List.of(new FormField.Option("Moderators Only", "moderators"), new FormField.Option("Anyone", "anyone"))));
        f.add(bool("muc#roomconfig_changesubject", "Allow Occupants to Change Subject?", changeSubject));
        f.add(bool("muc#roomconfig_allowinvites", "Allow Occupants to Invite Others?", allowInvites));
        f.add(new FormField("muc#roomconfig_allowpm", FormField.Type.LIST_SINGLE, "Who May Send Private Messages?", null, false,
                List.of(allowPrivateMessages), PM_OPTIONS.stream().map(o -> new FormField.Option(o, o)).toList()));
        f.add(new FormField("muc#roomconfig_maxusers", FormField.Type.LIST_SINGLE, "Maximum Number of Occupants", null, false,
                List.of(Integer.toString(maxUsers == 0 ? serviceMaxUsers : maxUsers)), List.of()));
        f.add(field("muc#maxhistoryfetch", FormField.Type.TEXT_SINGLE,
                "Maximum Number of History Messages Returned by Room (0-" + maxHistory + ")", Integer.toString(historyLength)));
        f.add(bool("muc#roomconfig_enablelogging", "Enable Public Logging?", logging));
        f.add(new FormField("muc#roomconfig_roomowners", FormField.Type.JID_MULTI, "Room Owners", null, false,
                owners.stream().map(Jid::toString).toList(), List.of()));
        f.add(new FormField("muc#roomconfig_roomadmins", FormField.Type.JID_MULTI, "Room Admins", null, false,
                admins.stream().map(Jid::toString).toList(), List.of()));
        return new DataForm(DataForm.Type.FORM, "Configuration for room", List.of("Complete this form to configure the room."),
                f, List.of(), List.of());
    }

    private static FormField field(String var, FormField.Type type, String label, String value) {
        return new FormField(var, type, label, null, false, value == null ? List.of() : List.of(value), List.of());
    }

    private static FormField bool(String var, String label, boolean value) {
        return field(var, FormField.Type.BOOLEAN, label, value ? "1" : "0");
    }

    /** The outcome of a submitted configuration form. */
    public record Applied(RoomConfig config, List<Jid> owners, List<Jid> admins, String error) {
    }

    /**
     * Applies a submitted form (section 10.2): fields not in the form keep their value; unknown
     * fields are ignored. The owner and admin lists are returned when the form names them.
     */
    public Applied applyForm(DataForm form, int serviceMaxUsers, int maxHistory, int maxText) {
        String problem = form.validate();
        if (problem != null) {
            return new Applied(this, null, null, problem);
        }
        if (form.formType() != null && !FORM_TYPE.equals(form.formType())) {
            return new Applied(this, null, null, "FORM_TYPE must be " + FORM_TYPE);
        }
        String n = text(form, "muc#roomconfig_roomname", name);
        String d = text(form, "muc#roomconfig_roomdesc", description);
        if (n.length() > maxText || d.length() > maxText) {
            return new Applied(this, null, null, "room name and description may have at most " + maxText + " characters");
        }
        boolean pwProtected = bool(form, "muc#roomconfig_passwordprotectedroom", passwordProtected());
        String secret = form.field("muc#roomconfig_roomsecret") != null ? text(form, "muc#roomconfig_roomsecret", "") : password;
        if (pwProtected && (secret == null || secret.isEmpty())) {
            return new Applied(this, null, null, "a password-protected room needs a password");
        }
        String whois = text(form, "muc#roomconfig_whois", whoisAnyone ? "anyone" : "moderators");
        if (!whois.equals("anyone") && !whois.equals("moderators")) {
            return new Applied(this, null, null, "muc#roomconfig_whois is anyone or moderators");
        }
        String pm = text(form, "muc#roomconfig_allowpm", allowPrivateMessages);
        if (!PM_OPTIONS.contains(pm)) {
            return new Applied(this, null, null, "muc#roomconfig_allowpm is one of " + PM_OPTIONS);
        }
        int max;
        int history;
        try {
            String m = text(form, "muc#roomconfig_maxusers", Integer.toString(maxUsers));
            max = m.isEmpty() || m.equals("none") ? 0 : Integer.parseInt(m);
            history = Integer.parseInt(text(form, "muc#maxhistoryfetch", Integer.toString(historyLength)).trim());
        } catch (NumberFormatException e) {
            return new Applied(this, null, null, "muc#roomconfig_maxusers and muc#maxhistoryfetch are numbers");
        }
        if (max < 0 || max > serviceMaxUsers || history < 0 || history > maxHistory) {
            return new Applied(this, null, null, "maximum occupants 1-" + serviceMaxUsers + ", history 0-" + maxHistory);
        }
        RoomConfig c = new RoomConfig(n, d,
                bool(form, "muc#roomconfig_persistentroom", persistent),
                bool(form, "muc#roomconfig_publicroom", publicRoom),
                bool(form, "muc#roomconfig_membersonly", membersOnly),
                bool(form, "muc#roomconfig_moderatedroom", moderated),
                pwProtected ? secret : null,
                whois.equals("anyone"),
                bool(form, "muc#roomconfig_changesubject", changeSubject),
                bool(form, "muc#roomconfig_allowinvites", allowInvites),
                pm, max, history,
                bool(form, "muc#roomconfig_enablelogging", logging));
        return new Applied(c, jids(form, "muc#roomconfig_roomowners"), jids(form, "muc#roomconfig_roomadmins"), null);
    }

    private static String text(DataForm form, String var, String otherwise) {
        FormField f = form.field(var);
        if (f == null) {
            return otherwise == null ? "" : otherwise;
        }
        return f.value() == null ? "" : f.value();
    }

    private static boolean bool(DataForm form, String var, boolean otherwise) {
        FormField f = form.field(var);
        return f == null ? otherwise : f.booleanValue();
    }

    private static List<Jid> jids(DataForm form, String var) {
        FormField f = form.field(var);
        return f == null ? null : f.values().stream().map(v -> Jid.of(v).bare()).distinct().toList();
    }
}
