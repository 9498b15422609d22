#!/usr/bin/env python3
"""SMTP sink for the receiver tests: the real aiosmtpd (Debian python3-aiosmtpd)
on 127.0.0.1, writing each message it accepts to OUTDIR/<n>.eml, preceded by
X-Envelope-From / X-Envelope-To / X-Auth-Login lines.

usage: smtp_sink.py PORT OUTDIR [--starttls CERT KEY | --implicit-tls CERT KEY]
                    [--auth USER PASSWORD]
Prints READY when listening; runs until killed or stdin closes."""

import os
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Recorder:
    def __init__(self, outdir):
        self.outdir = outdir
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            n = self.count
        auth = getattr(session, "auth_data", None)
        login = auth.login.decode() if auth is not None and getattr(auth, "login", None) else ""
        head = "X-Envelope-From: <%s>\r\nX-Envelope-To: %s\r\nX-Auth-Login: %s\r\nX-TLS: %s\r\n" % (
            envelope.mail_from, ",".join("<%s>" % r for r in envelope.rcpt_tos), login,
            "yes" if session.ssl else "no")
        tmp = os.path.join(self.outdir, "%d.tmp" % n)
        with open(tmp, "wb") as f:
            f.write(head.encode())
            f.write(envelope.original_content)
        os.rename(tmp, os.path.join(self.outdir, "%d.eml" % n))
        return "250 OK"


def main():
    port = int(sys.argv[1])
    outdir = sys.argv[2]
    args = sys.argv[3:]
    kwargs = {}
    if "--starttls" in args:
        i = args.index("--starttls")
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args[i + 1], args[i + 2])
        kwargs.update(tls_context=ctx, require_starttls=True)
    if "--implicit-tls" in args:
        i = args.index("--implicit-tls")
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args[i + 1], args[i + 2])
        kwargs.update(ssl_context=ctx)
    if "--auth" in args:
        i = args.index("--auth")
        user, password = args[i + 1].encode(), args[i + 2].encode()

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login == user and auth_data.password == password
            return AuthResult(success=ok, auth_data=auth_data)

        kwargs.update(authenticator=authenticator, auth_required=True,
                      auth_require_tls="--starttls" in args)
    controller = Controller(Recorder(outdir), hostname="127.0.0.1", port=port,
                            server_hostname="smtp.vigil.test", **kwargs)
    controller.start()
    print("READY", flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
