// app.js PORT REDIS_PORT: the Node web app of the http suite, on the plain
// http module. Every GET / fetches 4 random values from a redis server on
// 127.0.0.1:REDIS_PORT (keys key:0 .. key:99) and renders them into an HTML
// template. No npm modules: a minimal pipelining RESP client on one
// connection.
'use strict';
const http = require('http');
const net = require('net');

const port = Number(process.argv[2]);
const redisPort = Number(process.argv[3]);
const KEYS = 100;

const template = (title, v) => `<!DOCTYPE html>
<html><head><title>${title}</title></head>
<body><h1>${title}</h1>
<ul>
<li>${v[0]}</li>
<li>${v[1]}</li>
<li>${v[2]}</li>
<li>${v[3]}</li>
</ul></body></html>
`;

// Replies come back in request order: a queue of callbacks.
const pending = [];
let buf = Buffer.alloc(0);
const conn = net.createConnection({port: redisPort, host: '127.0.0.1'});
conn.setNoDelay(true);
conn.on('data', (chunk) => {
  buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
  for (;;) {
    const eol = buf.indexOf('\r\n');
    if (eol < 0) return;
    if (buf[0] !== 0x24 /* $ */) {
      const cb = pending.shift();
      const line = buf.toString('utf8', 0, eol);
      buf = buf.subarray(eol + 2);
      cb(new Error('redis: unexpected reply ' + line));
      continue;
    }
    const n = Number(buf.toString('utf8', 1, eol));
    if (n < 0) {
      buf = buf.subarray(eol + 2);
      pending.shift()(null, '');
      continue;
    }
    if (buf.length < eol + 2 + n + 2) return;
    const val = buf.toString('utf8', eol + 2, eol + 2 + n);
    buf = buf.subarray(eol + 2 + n + 2);
    pending.shift()(null, val);
  }
});
conn.on('error', (err) => { console.error('redis: ' + err.message); process.exit(1); });

function get(key, cb) {
  pending.push(cb);
  conn.write(`*2\r\n$3\r\nGET\r\n$${Buffer.byteLength(key)}\r\n${key}\r\n`);
}

http.createServer((req, res) => {
  const vals = [];
  let left = 4;
  let failed = false;
  for (let i = 0; i < 4; i++) {
    get('key:' + Math.floor(Math.random() * KEYS), (err, v) => {
      if (failed) return;
      if (err) {
        failed = true;
        res.writeHead(500);
        res.end(err.message);
        return;
      }
      vals[i] = v;
      if (--left === 0) {
        const body = template('moat bench', vals);
        res.writeHead(200, {'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(body)});
        res.end(body);
      }
    });
  }
}).listen(port, '127.0.0.1');
