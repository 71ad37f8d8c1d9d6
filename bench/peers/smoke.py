#!/usr/bin/env python3
"""End-to-end smoke test for an XMPP benchmark peer (standard library only).

    smoke.py PORT [--domain localhost] [--host 127.0.0.1]

Does, over STARTTLS (certificate not verified) on each connection:
  1. in-band registration (XEP-0077) of two fresh accounts A and B;
  2. SCRAM-SHA-1 login of both (server signature verified), bind, presence;
     A -> B chat message, received live by B;
  3. B logs out; A sends a message to the offline B; B logs in again
     (this time with SASL PLAIN) and must get it from offline storage,
     with a XEP-0203 <delay/>;
  4. no-throttling checks: --burst N back-to-back registrations from one IP
     (default 50) and a flood of --flood M messages A->B (default 2000)
     that must all arrive.
Exits 0 and prints "smoke: N passed, 0 failed" on success.
"""
import argparse
import base64
import hashlib
import hmac
import os
import socket
import ssl
import sys
import time
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

NS_STREAM = "http://etherx.jabber.org/streams"
NS_CLIENT = "jabber:client"
NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls"
NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl"
NS_BIND = "urn:ietf:params:xml:ns:xmpp-bind"
NS_SESSION = "urn:ietf:params:xml:ns:xmpp-session"
NS_REGISTER = "jabber:iq:register"
NS_DELAY = "urn:xmpp:delay"


def q(ns, tag):
    return "{%s}%s" % (ns, tag)


class XmppError(Exception):
    pass


class Client:
    def __init__(self, host, port, domain, timeout=15.0, verbose=False):
        self.host, self.port, self.domain = host, port, domain
        self.timeout = timeout
        self.verbose = verbose
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.settimeout(timeout)
        self.tls = False
        self.jid = None
        self._id = 0
        self.pending = []          # top-level elements read but not consumed

    # ---- low level -------------------------------------------------------
    def log(self, *a):
        if self.verbose:
            print("   ", *a, file=sys.stderr)

    def send(self, data):
        self.log("C:", data[:300])
        self.sock.settimeout(self.timeout)
        self.sock.sendall(data.encode("utf-8"))

    def open_stream(self):
        self.parser = ET.XMLPullParser(events=("start", "end"))
        self.depth = 0
        self.send("<?xml version='1.0'?><stream:stream to='%s' xmlns='%s' "
                  "xmlns:stream='%s' version='1.0' xml:lang='en'>"
                  % (self.domain, NS_CLIENT, NS_STREAM))
        self.pending = []
        features = self.next_element()
        if features.tag != q(NS_STREAM, "features"):
            raise XmppError("expected stream features, got %s" % features.tag)
        return features

    def _read_more(self):
        data = self.sock.recv(65536)
        if not data:
            raise XmppError("connection closed by server")
        self.log("S:", data[:300])
        self.parser.feed(data)
        for ev, el in self.parser.read_events():
            if ev == "start":
                self.depth += 1
            else:
                self.depth -= 1
                if self.depth == 1:
                    self.pending.append(el)
                elif self.depth == 0:
                    raise XmppError("stream closed by server")

    def next_element(self, deadline=None):
        deadline = deadline or (time.monotonic() + self.timeout)
        while not self.pending:
            left = deadline - time.monotonic()
            if left <= 0:
                raise XmppError("timeout waiting for a stanza")
            self.sock.settimeout(left)
            try:
                self._read_more()
            except socket.timeout:
                raise XmppError("timeout waiting for a stanza")
        el = self.pending.pop(0)
        if el.tag == q(NS_STREAM, "error"):
            raise XmppError("stream error: %s" % ET.tostring(el, encoding="unicode"))
        return el

    def next_id(self):
        self._id += 1
        return "s%d" % self._id

    def iq(self, typ, payload, to=None):
        iq_id = self.next_id()
        self.send("<iq type='%s' id='%s'%s>%s</iq>"
                  % (typ, iq_id, " to='%s'" % to if to else "", payload))
        while True:
            el = self.next_element()
            if el.tag == q(NS_CLIENT, "iq") and el.get("id") == iq_id:
                return el
            self.pending_other = getattr(self, "pending_other", []) + [el]

    # ---- negotiation ---------------------------------------------------------
    def starttls(self):
        features = self.open_stream()
        st = features.find(q(NS_TLS, "starttls"))
        if st is None:
            raise XmppError("server does not offer STARTTLS")
        self.starttls_required = st.find(q(NS_TLS, "required")) is not None
        self.send("<starttls xmlns='%s'/>" % NS_TLS)
        el = self.next_element()
        if el.tag != q(NS_TLS, "proceed"):
            raise XmppError("STARTTLS refused: %s" % el.tag)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        self.sock = ctx.wrap_socket(self.sock, server_hostname=self.domain)
        self.tls = True
        self.tls_version = self.sock.version()
        return self.open_stream()

    def register(self, user, password):
        res = self.iq("set", "<query xmlns='%s'><username>%s</username><password>%s</password></query>"
                      % (NS_REGISTER, escape(user), escape(password)))
        if res.get("type") != "result":
            raise XmppError("registration of %s failed: %s" % (user, ET.tostring(res, encoding="unicode")))

    def mechanisms(self, features):
        mechs = features.find(q(NS_SASL, "mechanisms"))
        return [] if mechs is None else [m.text for m in mechs.findall(q(NS_SASL, "mechanism"))]

    def auth_plain(self, user, password):
        token = base64.b64encode(("\0%s\0%s" % (user, password)).encode()).decode()
        self.send("<auth xmlns='%s' mechanism='PLAIN'>%s</auth>" % (NS_SASL, token))
        el = self.next_element()
        if el.tag != q(NS_SASL, "success"):
            raise XmppError("PLAIN auth failed: %s" % ET.tostring(el, encoding="unicode"))

    def auth_scram_sha1(self, user, password):
        cnonce = base64.b64encode(os.urandom(18)).decode()
        first_bare = "n=%s,r=%s" % (user.replace("=", "=3D").replace(",", "=2C"), cnonce)
        gs2 = "n,,"
        self.send("<auth xmlns='%s' mechanism='SCRAM-SHA-1'>%s</auth>"
                  % (NS_SASL, base64.b64encode((gs2 + first_bare).encode()).decode()))
        el = self.next_element()
        if el.tag != q(NS_SASL, "challenge"):
            raise XmppError("SCRAM: expected challenge, got %s" % ET.tostring(el, encoding="unicode"))
        server_first = base64.b64decode(el.text or "").decode()
        attrs = dict(kv.split("=", 1) for kv in server_first.split(","))
        nonce, salt, iters = attrs["r"], base64.b64decode(attrs["s"]), int(attrs["i"])
        self.scram_iterations = iters
        if not nonce.startswith(cnonce):
            raise XmppError("SCRAM: server nonce does not extend client nonce")
        salted = hashlib.pbkdf2_hmac("sha1", password.encode(), salt, iters)
        client_key = hmac.new(salted, b"Client Key", hashlib.sha1).digest()
        stored_key = hashlib.sha1(client_key).digest()
        final_wo_proof = "c=%s,r=%s" % (base64.b64encode(gs2.encode()).decode(), nonce)
        auth_msg = ",".join((first_bare, server_first, final_wo_proof)).encode()
        client_sig = hmac.new(stored_key, auth_msg, hashlib.sha1).digest()
        proof = bytes(a ^ b for a, b in zip(client_key, client_sig))
        final = "%s,p=%s" % (final_wo_proof, base64.b64encode(proof).decode())
        self.send("<response xmlns='%s'>%s</response>"
                  % (NS_SASL, base64.b64encode(final.encode()).decode()))
        el = self.next_element()
        if el.tag != q(NS_SASL, "success"):
            raise XmppError("SCRAM auth failed: %s" % ET.tostring(el, encoding="unicode"))
        server_final = base64.b64decode(el.text or "").decode()
        server_key = hmac.new(salted, b"Server Key", hashlib.sha1).digest()
        expected = base64.b64encode(hmac.new(server_key, auth_msg, hashlib.sha1).digest()).decode()
        if server_final != "v=" + expected:
            raise XmppError("SCRAM: bad server signature %r" % server_final)

    def login(self, user, password, mechanism="SCRAM-SHA-1", resource="smoke"):
        features = self.starttls()
        mechs = self.mechanisms(features)
        if mechanism not in mechs:
            raise XmppError("%s not offered (offered: %s)" % (mechanism, mechs))
        if mechanism == "SCRAM-SHA-1":
            self.auth_scram_sha1(user, password)
        else:
            self.auth_plain(user, password)
        features = self.open_stream()
        if features.find(q(NS_BIND, "bind")) is None:
            raise XmppError("no resource binding offered")
        res = self.iq("set", "<bind xmlns='%s'><resource>%s</resource></bind>" % (NS_BIND, resource))
        if res.get("type") != "result":
            raise XmppError("bind failed: %s" % ET.tostring(res, encoding="unicode"))
        self.jid = res.find(q(NS_BIND, "bind")).find(q(NS_BIND, "jid")).text
        sess = features.find(q(NS_SESSION, "session"))
        if sess is not None and sess.find(q(NS_SESSION, "optional")) is None:
            self.iq("set", "<session xmlns='%s'/>" % NS_SESSION)
        return mechs

    def presence(self):
        self.send("<presence/>")

    def message(self, to, body):
        self.send("<message type='chat' to='%s' id='%s'><body>%s</body></message>"
                  % (to, self.next_id(), escape(body)))

    def wait_message(self, body, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            el = self.next_element(deadline)
            if el.tag == q(NS_CLIENT, "message"):
                b = el.find(q(NS_CLIENT, "body"))
                if b is not None and b.text == body:
                    return el

    def close(self):
        try:
            self.send("</stream:stream>")
            # wait for the server to close its side so the session is gone
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                try:
                    self.next_element(deadline)
                except XmppError:
                    break
        except OSError:
            pass
        finally:
            try:
                self.sock.close()
            except OSError:
                pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--domain", default="localhost")
    ap.add_argument("--burst", type=int, default=50, help="back-to-back registrations (0 = skip)")
    ap.add_argument("--flood", type=int, default=2000, help="messages in the flood test (0 = skip)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    passed, failed = 0, 0

    def check(name, fn):
        nonlocal passed, failed
        t0 = time.monotonic()
        try:
            detail = fn()
            passed += 1
            print("PASS %-45s %6.0f ms  %s" % (name, (time.monotonic() - t0) * 1000, detail or ""))
            return True
        except Exception as e:  # noqa: BLE001
            failed += 1
            print("FAIL %-45s %s: %s" % (name, type(e).__name__, e))
            return False

    tag = "%d%04d" % (int(time.time()), int.from_bytes(os.urandom(2), "big") % 10000)
    ua, ub = "smokea" + tag, "smokeb" + tag
    pa, pb = "pw-" + tag + "-a", "pw-" + tag + "-b"
    ja, jb = "%s@%s" % (ua, args.domain), "%s@%s" % (ub, args.domain)
    mk = lambda: Client(args.host, args.port, args.domain, verbose=args.verbose)  # noqa: E731
    state = {}

    def register(user, pw):
        def run():
            c = mk()
            c.starttls()
            c.register(user, pw)
            info = "STARTTLS required=%s, %s" % (c.starttls_required, c.tls_version)
            c.close()
            return info
        return run

    ok = check("register %s (in-band, after STARTTLS)" % ua, register(ua, pa))
    ok = check("register %s (in-band, after STARTTLS)" % ub, register(ub, pb)) and ok
    if not ok:
        print("smoke: %d passed, %d failed" % (passed, failed))
        return 1

    def online_exchange():
        a, b = mk(), mk()
        mechs = a.login(ua, pa, "SCRAM-SHA-1")
        b.login(ub, pb, "SCRAM-SHA-1")
        if "PLAIN" not in mechs:
            raise XmppError("PLAIN not offered: %s" % mechs)
        a.presence()
        b.presence()
        time.sleep(0.3)
        body = "hello live " + tag
        a.message(jb, body)
        el = b.wait_message(body)
        state["a"] = a
        a_from = el.get("from")
        b.close()
        return "mechanisms=%s; SCRAM i=%d; B got it from %s" % (
            ",".join(mechs), a.scram_iterations, a_from)

    def offline_store():
        a = state["a"]
        time.sleep(0.5)                      # B's session is gone
        body = "hello offline " + tag
        state["offline_body"] = body
        a.message(jb, body)
        time.sleep(0.5)                      # let the server store it
        # A must not get an error bounce for it
        deadline = time.monotonic() + 0.5
        try:
            while True:
                el = a.next_element(deadline)
                if el.tag == q(NS_CLIENT, "message") and el.get("type") == "error":
                    raise XmppError("message bounced: %s" % ET.tostring(el, encoding="unicode"))
        except XmppError as e:
            if "timeout" not in str(e):
                raise
        a.close()
        return "sent to offline %s" % jb

    def offline_deliver():
        b = mk()
        b.login(ub, pb, "PLAIN", resource="again")
        b.presence()
        el = b.wait_message(state["offline_body"])
        delay = el.find(q(NS_DELAY, "delay"))
        b.close()
        if delay is None:
            raise XmppError("offline message has no <delay/>")
        return "delivered at next login (PLAIN), delay stamp=%s" % delay.get("stamp")

    def burst():
        t0 = time.monotonic()
        for i in range(args.burst):
            c = mk()
            c.starttls()
            c.register("burst%s_%d" % (tag, i), "pw%d" % i)
            c.sock.close()
        dt = time.monotonic() - t0
        return "%d registrations from one IP, %.0f/s, none refused" % (args.burst, args.burst / dt)

    def flood():
        a, b = mk(), mk()
        a.login(ua, pa)
        b.login(ub, pb, resource="flood")
        a.presence()
        b.presence()
        time.sleep(0.3)
        payload = "x" * 200
        t0 = time.monotonic()
        chunk = []
        for i in range(args.flood):
            chunk.append("<message type='chat' to='%s/flood' id='f%d'><body>%d %s</body></message>"
                         % (jb, i, i, payload))
            if len(chunk) == 100:
                a.send("".join(chunk))
                chunk = []
        if chunk:
            a.send("".join(chunk))
        got = 0
        deadline = time.monotonic() + 60
        while got < args.flood:
            el = b.next_element(deadline)
            if el.tag == q(NS_CLIENT, "message") and (el.get("id") or "").startswith("f"):
                got += 1
        dt = time.monotonic() - t0
        a.close()
        b.close()
        return "%d/%d messages (%d B bodies) in %.2fs = %.0f msg/s" % (
            got, args.flood, len(payload), dt, got / dt)

    if check("SCRAM-SHA-1 login A+B, live chat A->B", online_exchange):
        if check("message to offline B is accepted", offline_store):
            check("offline message delivered at B's next login", offline_deliver)
    if args.burst > 0:
        check("no registration throttle (burst)", burst)
    if args.flood > 0:
        check("no traffic shaping (flood A->B)", flood)
    print("smoke: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
