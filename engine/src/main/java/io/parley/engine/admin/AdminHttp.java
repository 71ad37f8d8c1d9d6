package io.parley.engine.admin;

import static akka.http.javadsl.server.Directives.complete;
import static akka.http.javadsl.server.Directives.concat;
import static akka.http.javadsl.server.Directives.delete;
import static akka.http.javadsl.server.Directives.entity;
import static akka.http.javadsl.server.Directives.get;
import static akka.http.javadsl.server.Directives.onSuccess;
import static akka.http.javadsl.server.Directives.optionalHeaderValueByName;
import static akka.http.javadsl.server.Directives.path;
import static akka.http.javadsl.server.Directives.pathPrefix;
import static akka.http.javadsl.server.Directives.post;
import static akka.http.javadsl.server.Directives.put;
import static akka.http.javadsl.server.Directives.withSizeLimit;
import static akka.http.javadsl.server.PathMatchers.segment;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The admin API parleyctl uses, on loopback, guarded by a bearer token kept in
 * {@code <data-dir>/admin.token} (readable by the node's user only):
 * <pre>
 *   GET    /users                  account JIDs
 *   PUT    /users/NAME             {"password": "..."}: create
 *   PUT    /users/NAME/password    {"password": "..."}: change the password
 *   DELETE /users/NAME             remove the account and its data
 *   GET    /sessions               bound sessions on every node of the cluster
 *   GET    /cluster                members: status, reachability, sessions, shards and entities per type
 *   DELETE /sessions/FULLJID       close that session
 *   POST   /import                 a XEP-0227 document: import its accounts
 *   GET    /export                 every account as a XEP-0227 document
 * </pre>
 */
public final class AdminHttp {

    public static final String TOKEN_FILE = "admin.token";
    private static final ObjectMapper JSON = new ObjectMapper();

    private AdminHttp() {
    }

    /** Writes a fresh token and binds the API. */
    public static CompletionStage<ServerBinding> start(ActorSystem<?> system, AdminOps ops, String iface, int port, Path dataDir) {
        byte[] raw = new byte[24];
        new SecureRandom().nextBytes(raw);
        String token = HexFormat.of().formatHex(raw);
        writeToken(dataDir.resolve(TOKEN_FILE), token);
        return Http.get(system).newServerAt(iface, port).bind(routes(ops, token));
    }

    private static void writeToken(Path file, String token) {
        try {
            Path tmp = file.resolveSibling(TOKEN_FILE + ".tmp");
            Files.writeString(tmp, token);
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the admin token to " + file, e);
        }
    }

    static Route routes(AdminOps ops, String token) {
        Unmarshaller<akka.http.javadsl.model.HttpEntity, String> body = Unmarshaller.entityToString();
        return optionalHeaderValueByName("Authorization", auth -> {
            if (auth.isEmpty() || !auth.get().equals("Bearer " + token)) {
                return complete(StatusCodes.UNAUTHORIZED, "missing or wrong admin token");
            }
            return concat(
                    path("users", () -> get(() -> onSuccess(ops.listUsers(), users -> json(Map.of("users", users))))),
                    pathPrefix("users", () -> pathPrefix(segment(), name -> concat(
                            path("password", () -> put(() -> entity(body, text ->
                                    onSuccess(ops.setPassword(name, password(text)), AdminHttp::result)))),
                            akka.http.javadsl.server.Directives.pathEnd(() -> concat(
                                    put(() -> entity(body, text -> onSuccess(ops.addUser(name, password(text)), AdminHttp::result))),
                                    delete(() -> onSuccess(ops.removeUser(name), AdminHttp::result))))))),
                    path("import", () -> post(() -> withSizeLimit(1L << 31, () -> entity(body, xml ->
                            onSuccess(ops.importDocument(xml), AdminHttp::result))))),
                    path("export", () -> get(() -> onSuccess(ops.exportDocument(), bytes ->
                            complete(StatusCodes.OK, HttpEntities.create(ContentTypes.create(akka.http.javadsl.model.MediaTypes.APPLICATION_XML,
                                    akka.http.javadsl.model.HttpCharsets.UTF_8), bytes))))),
                    path("cluster", () -> get(() -> onSuccess(ops.clusterStatus(), m -> json(Map.of("members", m))))),
                    path("sessions", () -> get(() -> onSuccess(ops.listSessions(), s -> json(Map.of("sessions", s))))),
                    pathPrefix("sessions", () -> path(segment(), jid ->
                            delete(() -> onSuccess(ops.kick(jid), AdminHttp::result)))));
        });
    }

    private static String password(String json) {
        try {
            ObjectNode n = (ObjectNode) JSON.readTree(json);
            return n.path("password").asText("");
        } catch (IOException | ClassCastException e) {
            return "";
        }
    }

    private static Route result(AdminOps.Result r) {
        return complete(r.ok() ? StatusCodes.OK : StatusCodes.CONFLICT,
                HttpEntities.create(ContentTypes.APPLICATION_JSON, toJson(Map.of("ok", r.ok(), "message", r.message()))));
    }

    private static Route json(Object value) {
        return complete(StatusCodes.OK, HttpEntities.create(ContentTypes.APPLICATION_JSON, toJson(value)));
    }

    private static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
