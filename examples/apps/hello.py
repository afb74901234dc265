"""A tiny HTTP app that serves on the socket its vassal config declared.

The Emperor's vassal role binds `http-socket` while privileged and passes it the systemd way
(LISTEN_FDS=1, the socket at fd 3), so the app never binds anything itself.
"""
import http.server
import os
import socket
import socketserver


class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("hello from vassal %s (pid %d)\n" % (os.environ.get("VASSAL_NAME", "?"), os.getpid())).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


class FromFd(socketserver.ThreadingMixIn, http.server.HTTPServer):
    def __init__(self):
        socketserver.BaseServer.__init__(self, None, Hello)
        self.socket = socket.socket(fileno=3)

    def server_bind(self):
        pass


if __name__ == "__main__":
    if os.environ.get("LISTEN_FDS") != "1":
        raise SystemExit("hello.py expects exactly one socket from the vassal role (LISTEN_FDS=1)")
    FromFd().serve_forever()
