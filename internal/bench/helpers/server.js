// server.js PORT: a small Node web server for the startup and density
// suites, on the plain http module. It loads what a small web app would,
// then answers every GET with a short page. Binds 127.0.0.1:PORT.
'use strict';
const http = require('http');
const url = require('url');
const crypto = require('crypto');
const zlib = require('zlib');
const util = require('util');
const events = require('events');

const port = Number(process.argv[2]);
const started = new Date().toISOString();
const bus = new events.EventEmitter();
bus.on('request', () => {});
void zlib.constants;

http.createServer((req, res) => {
  bus.emit('request');
  const path = url.parse(req.url).pathname;
  const body = JSON.stringify({
    path, started, etag: crypto.createHash('sha1').update(path).digest('hex'),
    note: util.format('%s', 'ok'),
  });
  res.writeHead(200, {'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body)});
  res.end(body);
}).listen(port, '127.0.0.1');
