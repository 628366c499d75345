"""app.py PORT REDIS_PORT: the Python web app of the http suite. Every GET /
fetches 4 random values from a redis server on 127.0.0.1:REDIS_PORT (keys
key:0 .. key:99) and renders them into an HTML template. Standard library
only: a minimal RESP client, one redis connection per server thread."""
import http.server
import random
import socket
import socketserver
import string
import sys
import threading

PORT, REDIS_PORT = int(sys.argv[1]), int(sys.argv[2])
KEYS = 100

TEMPLATE = string.Template("""<!DOCTYPE html>
<html><head><title>$title</title></head>
<body><h1>$title</h1>
<ul>
<li>$v0</li>
<li>$v1</li>
<li>$v2</li>
<li>$v3</li>
</ul></body></html>
""")

local = threading.local()


class Redis:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rfile = self.sock.makefile("rb")

    def get(self, key):
        k = key.encode()
        self.sock.sendall(b"*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n" % (len(k), k))
        line = self.rfile.readline()
        if not line.startswith(b"$"):
            raise IOError("redis: unexpected reply %r" % line)
        n = int(line[1:])
        if n < 0:
            return ""
        data = self.rfile.read(n + 2)
        return data[:-2].decode()


def redis():
    r = getattr(local, "redis", None)
    if r is None:
        r = local.redis = Redis(REDIS_PORT)
    return r


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self):
        r = redis()
        vals = [r.get("key:%d" % random.randrange(KEYS)) for _ in range(4)]
        body = TEMPLATE.substitute(title="moat bench", v0=vals[0], v1=vals[1], v2=vals[2], v3=vals[3]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


Server(("127.0.0.1", PORT), Handler).serve_forever()
