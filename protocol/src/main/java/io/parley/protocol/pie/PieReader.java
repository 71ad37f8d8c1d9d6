package io.parley.protocol.pie;

import io.parley.protocol.sasl.ScramAlgorithm;
import io.parley.protocol.sasl.ScramCredentials;
import io.parley.protocol.xml.XmlElement;
import io.parley.protocol.xml.XmlReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads XEP-0227 files one account at a time (the whole file is never in memory): a
 * {@code <server-data/>} document with {@code <host/>} children or XInclude references to host
 * files (as ejabberd's {@code export_piefxis} writes them, resolved beside the including file),
 * or a lone {@code <host/>} file.
 * <p>
 * SCRAM credentials are read as the XEP says (base64 of the raw bytes) and also in the form
 * ejabberd 23.01 writes (base64 applied twice); the key length tells them apart.
 */
public final class PieReader {

    private static final String NS_XINCLUDE = "http://www.w3.org/2001/XInclude";

    private PieReader() {
    }

    /** Calls {@code sink} with each account in the file and the files it includes. */
    public static void read(Path file, Consumer<PortableUser> sink) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            XMLStreamReader r = XmlReader.streamOf(in);
            try {
                String host = null;
                while (r.hasNext()) {
                    int ev = r.next();
                    if (ev == XMLStreamConstants.DTD) {
                        throw new IllegalArgumentException(file + ": DTDs are not allowed");
                    }
                    if (ev != XMLStreamConstants.START_ELEMENT) {
                        if (ev == XMLStreamConstants.END_ELEMENT && r.getLocalName().equals("host")) {
                            host = null;
                        }
                        continue;
                    }
                    String name = r.getLocalName();
                    String ns = r.getNamespaceURI();
                    if (name.equals("include") && NS_XINCLUDE.equals(ns)) {
                        read(included(file, r), sink);
                    } else if (name.equals("host")) {
                        host = r.getAttributeValue(null, "jid");
                        if (host == null || host.isBlank()) {
                            throw new IllegalArgumentException(file + ": <host/> without jid");
                        }
                    } else if (name.equals("user")) {
                        if (host == null) {
                            throw new IllegalArgumentException(file + ": <user/> outside <host/>");
                        }
                        sink.accept(user(host, XmlReader.readElement(r)));
                    } else if (!name.equals("server-data")) {
                        throw new IllegalArgumentException(file + ": unexpected element <" + name + "/> (is this a XEP-0227 file?)");
                    }
                }
            } finally {
                r.close();
            }
        } catch (XMLStreamException e) {
            throw new IllegalArgumentException(file + ": not well-formed XML: " + e.getMessage(), e);
        }
    }

    /**
     * The documents that hold the file's accounts: the host files an index includes (ejabberd's
     * export), each a document of its own, or the file itself when it includes none.
     */
    public static List<Path> documents(Path file) throws IOException {
        List<Path> parts = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            XMLStreamReader r = XmlReader.streamOf(in);
            try {
                while (r.hasNext()) {
                    if (r.next() == XMLStreamConstants.START_ELEMENT && r.getLocalName().equals("include")
                            && NS_XINCLUDE.equals(r.getNamespaceURI())) {
                        parts.add(included(file, r));
                    }
                }
            } finally {
                r.close();
            }
        } catch (XMLStreamException e) {
            throw new IllegalArgumentException(file + ": not well-formed XML: " + e.getMessage(), e);
        }
        return parts.isEmpty() ? List.of(file) : parts;
    }

    /** The file an xi:include the reader is on names, beside the including file. */
    private static Path included(Path file, XMLStreamReader r) {
        String href = r.getAttributeValue(null, "href");
        if (href == null || href.isBlank()) {
            throw new IllegalArgumentException(file + ": xi:include without href");
        }
        return file.toAbsolutePath().getParent().resolve(href);
    }

    /** The accounts of a file, in a list (for small files and tests). */
    public static List<PortableUser> readAll(Path file) throws IOException {
        List<PortableUser> users = new ArrayList<>();
        read(file, users::add);
        return users;
    }

    static PortableUser user(String host, XmlElement e) {
        String name = e.attr("name");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("<user/> without name on host " + host);
        }
        List<ScramCredentials> scram = new ArrayList<>();
        for (XmlElement c : e.elements("scram-credentials", PortableUser.NS_SCRAM)) {
            scram.add(scram(host, name, c));
        }
        return new PortableUser(host, name, e.attr("password"), scram, e);
    }

    private static ScramCredentials scram(String host, String user, XmlElement c) {
        String mechanism = c.attr("mechanism");
        ScramAlgorithm alg = null;
        for (ScramAlgorithm a : ScramAlgorithm.values()) {
            if (a.mechanism().mechanismName().equals(mechanism)) {
                alg = a;
            }
        }
        if (alg == null) {
            throw new IllegalArgumentException(user + "@" + host + ": unknown SCRAM mechanism " + mechanism);
        }
        int keyLength = alg.hash(new byte[0]).length;
        String ns = PortableUser.NS_SCRAM;
        byte[] serverKey = decode(c.elementText("server-key", ns));
        boolean twice = serverKey.length != keyLength;
        if (twice) {
            serverKey = decode(new String(serverKey, java.nio.charset.StandardCharsets.US_ASCII));
            if (serverKey.length != keyLength) {
                throw new IllegalArgumentException(user + "@" + host + ": " + mechanism + " server key has the wrong length");
            }
        }
        byte[] storedKey = decodeAs(c.elementText("stored-key", ns), twice);
        byte[] salt = decodeAs(c.elementText("salt", ns), twice);
        int iterations = Integer.parseInt(c.elementText("iter-count", ns).strip());
        return new ScramCredentials(alg, salt, iterations, storedKey, serverKey);
    }

    private static byte[] decodeAs(String text, boolean twice) {
        byte[] once = decode(text);
        return twice ? decode(new String(once, java.nio.charset.StandardCharsets.US_ASCII)) : once;
    }

    private static byte[] decode(String text) {
        if (text == null) {
            throw new IllegalArgumentException("SCRAM credentials without salt or keys");
        }
        return Base64.getMimeDecoder().decode(text.strip());
    }
}
