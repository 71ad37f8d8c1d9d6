package io.parley.engine.admin;

import io.parley.engine.ext.Services;
import io.parley.engine.ext.privatexml.PrivateXmlExtension;
import io.parley.engine.ext.vcard.VCardExtension;
import io.parley.engine.roster.RosterEntity;
import io.parley.engine.roster.RosterItem;
import io.parley.engine.roster.Subscription;
import io.parley.engine.session.Account;
import io.parley.engine.ext.offline.OfflineFeature;
import io.parley.engine.ext.vcard.AvatarFeature;
import io.parley.engine.storage.UserDataEntity;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.pie.PieReader;
import io.parley.protocol.pie.PieWriter;
import io.parley.protocol.pie.PortableUser;
import io.parley.protocol.sasl.ScramAlgorithm;
import io.parley.protocol.sasl.ScramCredentials;
import io.parley.protocol.sasl.StoredCredentials;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Moves user data in and out in XEP-0227's portable format, so an operator can come from
 * ejabberd or Prosody (or leave): accounts with their credentials (a password where the file has
 * one, else its SCRAM keys), rosters with subscription states and pending requests, vCards,
 * private XML storage and offline messages (their delay stamps kept). Accounts of other hosts in
 * the file are skipped; an account that already exists is reported and left as it is. Blocking:
 * run it on parleyctl's thread or a blocking dispatcher, never an actor's.
 */
public final class Portability {

    /** What an import did, in words an operator reads. */
    public record ImportReport(int imported, int otherHosts, List<String> failures) {
    }

    private final Services services;
    private final AdminOps ops;

    public Portability(Services services, AdminOps ops) {
        this.services = services;
        this.ops = ops;
    }

    public ImportReport importFile(Path file) throws IOException {
        int[] counts = new int[2];
        List<String> failures = new ArrayList<>();
        String domain = services.domain().domain();
        PieReader.read(file, user -> {
            if (!user.host().equalsIgnoreCase(domain)) {
                counts[1]++;
                return;
            }
            String failure;
            try {
                failure = importUser(user).toCompletableFuture().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                failure = user.name() + ": " + e;
            }
            if (failure == null) {
                counts[0]++;
            } else {
                failures.add(failure);
            }
        });
        return new ImportReport(counts[0], counts[1], failures);
    }

    /** Imports one account; completes with null, or with why it was not (fully) imported. */
    CompletionStage<String> importUser(PortableUser u) {
        Jid jid;
        StoredCredentials credentials;
        try {
            jid = Jid.of(u.name(), services.domain().domain(), null);
            credentials = credentials(u);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(u.name() + ": " + e.getMessage());
        }
        String who = jid.toString();
        return services.<Account.Reply>askUser(jid, rt -> new Account.Create(credentials, rt)).thenCompose(r -> {
            if (r == Account.Reply.EXISTS) {
                return CompletableFuture.completedFuture(who + ": exists already, left as it is");
            }
            if (r != Account.Reply.DONE) {
                return CompletableFuture.completedFuture(who + ": account not created (" + r + ")");
            }
            List<CompletableFuture<String>> parts = new ArrayList<>();
            List<RosterItem> items = rosterItems(u);
            if (!items.isEmpty()) {
                parts.add(services.<RosterEntity.UpdateReply>askRoster(jid, rt -> new RosterEntity.ImportItems(items, rt))
                        .thenApply(x -> x.error() == null ? null : who + ": roster " + x.error()).toCompletableFuture());
            }
            XmlElement vcard = u.vcard();
            if (vcard != null) {
                parts.add(put(jid, VCardExtension.KEY, vcard, "vCard").thenApply(x -> {
                    if (x == null) {
                        services.tellUser(jid, new AvatarFeature.SetAvatarHash(VCardExtension.photoHash(vcard)));
                    }
                    return x;
                }));
            }
            for (XmlElement doc : u.privateDocuments()) {
                parts.add(put(jid, PrivateXmlExtension.key(doc), doc, "private " + doc.namespace()));
            }
            List<XmlElement> offline = u.offlineMessages().stream()
                    .map(m -> m.withAttr("to", m.attr("to") == null ? who : m.attr("to"))).toList();
            if (!offline.isEmpty()) {
                parts.add(services.<Account.Reply>askUser(jid, rt -> new OfflineFeature.ImportOffline(offline, rt))
                        .thenApply(x -> x == Account.Reply.DONE ? null : who + ": offline messages " + x).toCompletableFuture());
            }
            return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
                List<String> problems = parts.stream().map(CompletableFuture::join).filter(p -> p != null).toList();
                return problems.isEmpty() ? null : String.join("; ", problems);
            });
        });
    }

    private CompletableFuture<String> put(Jid jid, String key, XmlElement doc, String what) {
        return services.<UserDataEntity.Stored>askData(jid, rt -> new UserDataEntity.Put(key, doc, rt))
                .thenApply(s -> s.ok() ? (String) null : jid + ": " + what + " not stored").toCompletableFuture();
    }

    static StoredCredentials credentials(PortableUser u) {
        if (u.password() != null) {
            return StoredCredentials.fromPassword(u.password());
        }
        if (u.scram().isEmpty()) {
            throw new IllegalArgumentException("neither a password nor SCRAM credentials");
        }
        Map<ScramAlgorithm, ScramCredentials> m = new EnumMap<>(ScramAlgorithm.class);
        u.scram().forEach(c -> m.put(c.algorithm(), c));
        return new StoredCredentials(m);
    }

    /** Roster items as the file states them, and contacts known only by a request the user has not answered. */
    static List<RosterItem> rosterItems(PortableUser u) {
        Map<Jid, RosterItem> items = new LinkedHashMap<>();
        for (XmlElement i : u.rosterItems()) {
            Jid contact = Jid.ofOrNull(i.attr("jid"));
            if (contact == null) {
                continue;
            }
            String sub = i.attr("subscription") == null ? "none" : i.attr("subscription");
            boolean to = sub.equals("both") || sub.equals("to");
            boolean from = sub.equals("both") || sub.equals("from");
            boolean ask = "subscribe".equals(i.attr("ask")) && !to;
            boolean approved = "true".equals(i.attr("approved")) && !from;
            List<String> groups = i.elements("group", Namespaces.ROSTER).stream().map(XmlElement::text).toList();
            items.put(contact.bare(), new RosterItem(contact.bare(), i.attr("name"), groups,
                    new Subscription(to, from, ask, false, approved), true, null, 0));
        }
        for (XmlElement p : u.pendingSubscriptionRequests()) {
            Jid from = Jid.ofOrNull(p.attr("from"));
            if (from == null) {
                continue;
            }
            Jid contact = from.bare();
            RosterItem base = items.getOrDefault(contact, RosterItem.hidden(contact));
            if (!base.subscription().from()) {
                items.put(contact, base.withSubscription(base.subscription().withPendingIn(true)).withPendingRequest(p));
            }
        }
        return new ArrayList<>(items.values());
    }

    /** Writes every account of this node's domain; returns how many. */
    public int exportTo(OutputStream out) throws Exception {
        List<String> users = ops.listUsers().toCompletableFuture().get(10, TimeUnit.MINUTES);
        try (PieWriter w = new PieWriter(out, services.domain().domain())) {
            for (String id : users) {
                Jid jid = Jid.of(id);
                Account.Credentials creds = services.<Account.Credentials>askUser(jid, Account.GetCredentials::new)
                        .toCompletableFuture().get(60, TimeUnit.SECONDS);
                if (creds.credentials() == null) {
                    continue;
                }
                w.user(jid.local(), new ArrayList<>(creds.credentials().all().values()), data(jid));
            }
        }
        return users.size();
    }

    private List<XmlElement> data(Jid jid) throws Exception {
        List<XmlElement> data = new ArrayList<>();
        List<RosterItem> items = services.<RosterEntity.ExportedItems>askRoster(jid, RosterEntity.ExportItems::new)
                .toCompletableFuture().get(60, TimeUnit.SECONDS).items();
        XmlElement.Builder roster = XmlElement.builder("query", Namespaces.ROSTER);
        items.stream().filter(RosterItem::inRoster).forEach(i -> roster.child(i.toElement()));
        data.add(roster.build());
        Map<String, XmlElement> docs = services.<UserDataEntity.Documents>askData(jid, UserDataEntity.GetAll::new)
                .toCompletableFuture().get(60, TimeUnit.SECONDS).documents();
        if (docs.containsKey(VCardExtension.KEY)) {
            data.add(docs.get(VCardExtension.KEY));
        }
        XmlElement.Builder priv = XmlElement.builder("query", PortableUser.NS_PRIVATE);
        boolean anyPrivate = false;
        for (Map.Entry<String, XmlElement> e : docs.entrySet()) {
            if (e.getKey().startsWith(PrivateXmlExtension.KEY_PREFIX)) {
                priv.child(e.getValue());
                anyPrivate = true;
            }
        }
        if (anyPrivate) {
            data.add(priv.build());
        }
        List<XmlElement> offline = services.<OfflineFeature.OfflineMessages>askUser(jid, OfflineFeature.GetOfflineMessages::new)
                .toCompletableFuture().get(60, TimeUnit.SECONDS).messages();
        if (!offline.isEmpty()) {
            XmlElement.Builder o = XmlElement.builder("offline-messages", PortableUser.NS);
            offline.forEach(o::child);
            data.add(o.build());
        }
        items.stream().filter(i -> i.pendingRequest() != null).forEach(i -> data.add(i.pendingRequest()));
        return data;
    }
}
