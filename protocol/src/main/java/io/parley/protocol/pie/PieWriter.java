package io.parley.protocol.pie;

import io.parley.protocol.sasl.ScramCredentials;
import io.parley.protocol.xml.XmlElement;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Writes a XEP-0227 file one account at a time: {@code <server-data/>} with one {@code <host/>},
 * each {@code <user/>} carrying its SCRAM credentials (base64 as the XEP says; the password
 * itself is never stored, so never exported) and its data elements.
 */
public final class PieWriter implements AutoCloseable {

    private final Writer out;

    public PieWriter(OutputStream stream, String host) throws IOException {
        this.out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8));
        out.write("<?xml version='1.0' encoding='UTF-8'?>\n<server-data xmlns='" + PortableUser.NS + "'>\n<host jid='"
                + escape(host) + "'>\n");
    }

    /** Writes one account with its credentials and data elements (roster query, vCard, ...). */
    public void user(String name, List<ScramCredentials> credentials, List<XmlElement> data) throws IOException {
        XmlElement.Builder u = XmlElement.builder("user", PortableUser.NS).attr("name", name);
        Base64.Encoder b64 = Base64.getEncoder();
        for (ScramCredentials c : credentials) {
            String ns = PortableUser.NS_SCRAM;
            u.child(XmlElement.builder("scram-credentials", ns).attr("mechanism", c.algorithm().mechanism().mechanismName())
                    .child(XmlElement.builder("iter-count", ns).text(Integer.toString(c.iterations())).build())
                    .child(XmlElement.builder("salt", ns).text(b64.encodeToString(c.salt())).build())
                    .child(XmlElement.builder("server-key", ns).text(b64.encodeToString(c.serverKey())).build())
                    .child(XmlElement.builder("stored-key", ns).text(b64.encodeToString(c.storedKey())).build())
                    .build());
        }
        data.forEach(u::child);
        out.write(u.build().toString());
        out.write('\n');
    }

    @Override
    public void close() throws IOException {
        out.write("</host>\n</server-data>\n");
        out.close();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace("'", "&apos;");
    }
}
