#!/usr/bin/env python3
"""A browser-like HTTPS client that keeps one TLS connection open: an independent party (Python's
ssl and http.client, not Vaultmort's code) for the App Service front end's "renewed without a
restart" promise.

Usage: keep_alive_client.py HOST PORT CA_FILE

It connects to 127.0.0.1:PORT with SNI HOST, verifies the server's chain against CA_FILE and the
host name, and then, for every line read on stdin, sends `GET /` on that same connection and
prints one line: `<status> <SHA-1 of the certificate presented, upper-case hex> <local port>`.
The local port shows that every answer came over the one TCP connection; when the server has
closed it, the line is `ERROR <what happened>` (it never reconnects).
"""

import hashlib
import http.client
import socket
import ssl
import sys


def main() -> None:
    host, port, ca_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    context = ssl.create_default_context(cafile=ca_file)
    raw = socket.create_connection(("127.0.0.1", port), timeout=20)
    tls = context.wrap_socket(raw, server_hostname=host)
    presented = hashlib.sha1(tls.getpeercert(binary_form=True)).hexdigest().upper()
    local_port = tls.getsockname()[1]
    conn = http.client.HTTPSConnection(host, port, context=context, timeout=20)
    conn.sock = tls
    for _ in sys.stdin:
        try:
            if conn.sock is not tls:
                raise ConnectionError("the server closed the connection")
            conn.request("GET", "/", headers={"Connection": "keep-alive"})
            response = conn.getresponse()
            response.read()
            print(f"{response.status} {presented} {local_port}", flush=True)
        except Exception as error:  # noqa: BLE001 - every failure is reported to the test
            print(f"ERROR {type(error).__name__}: {error}", flush=True)


if __name__ == "__main__":
    main()
