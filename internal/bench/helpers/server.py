"""server.py PORT: a small Python web server for the startup and density
suites. It imports what a small web app would, then answers every GET with a
short page. Binds 127.0.0.1:PORT."""
import datetime
import email.utils
import hashlib
import http.server
import json
import logging
import re
import socketserver
import sys
import urllib.parse

PORT = int(sys.argv[1])
STARTED = datetime.datetime.now(datetime.timezone.utc).isoformat()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        path = urllib.parse.urlparse(self.path).path
        body = json.dumps({"path": path, "started": STARTED,
                           "etag": hashlib.sha1(path.encode()).hexdigest()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Date", email.utils.formatdate(usegmt=True))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


logging.basicConfig(level=logging.WARNING)
assert re.match(r"^\d+$", sys.argv[1])
Server(("127.0.0.1", PORT), Handler).serve_forever()
