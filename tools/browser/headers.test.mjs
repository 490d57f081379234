// The server's headers as a browser receives them, without a browser: the
// security headers on pages, wasm and errors, MIME types, and gzip.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, measure } from './lib.mjs';

const SECURITY = {
  'content-security-policy': "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'; frame-src 'self'; worker-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
  'permissions-policy': 'camera=(self)',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'x-frame-options': 'SAMEORIGIN',
};

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

/** get makes one request and resolves to { status, headers, bytes }. */
function get(path, { method = 'GET', gzip = false } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, server.url), {
      method, headers: gzip ? { 'accept-encoding': 'gzip' } : {},
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, bytes: Buffer.concat(chunks) }));
    });
    req.setTimeout(10000, () => req.destroy(new Error('timeout: ' + path)));
    req.on('error', reject);
    req.end();
  });
}

for (const [path, status] of [['/', 200], ['/index.html', 200], ['/worker.wasm', 200], ['/overlay.wasm', 200],
  ['/wasm_exec.js', 200], ['/i18n/ko.json', 200], ['/models/facefinder', 200], ['/media/sample.webm', 200],
  ['/no-such-page', 404], ['/../../etc/passwd', 404], ['/.facewatch-site', 404]]) {
  test(`security headers on ${path} (${status})`, { timeout: 15000 }, async () => {
    const res = await get(path);
    assert.equal(res.status, status);
    for (const [k, v] of Object.entries(SECURITY)) {
      assert.equal(res.headers[k], v, `${path}: ${k}`);
    }
  });
}

test('MIME types', { timeout: 15000 }, async () => {
  for (const [path, type] of [
    ['/', 'text/html; charset=utf-8'],
    ['/overlay.html', 'text/html; charset=utf-8'],
    ['/worker.wasm', 'application/wasm'],
    ['/overlay.wasm', 'application/wasm'],
    ['/wasm_exec.js', 'text/javascript; charset=utf-8'],
    ['/i18n/en.json', 'application/json'],
    ['/media/sample.webm', 'video/webm'],
  ]) {
    const res = await get(path, { method: 'HEAD' });
    assert.equal(res.status, 200, path);
    assert.equal(res.headers['content-type'], type, path);
  }
});

test('wasm is sent gzip-encoded to clients that accept it, plain to others', { timeout: 30000 }, async () => {
  for (const name of ['worker.wasm', 'overlay.wasm']) {
    const plain = await get('/' + name);
    const gz = await get('/' + name, { gzip: true });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.deepEqual([...plain.bytes.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d], `${name} is not WebAssembly`);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.ok(gz.bytes.length < plain.bytes.length, `${name}: gzip ${gz.bytes.length} >= plain ${plain.bytes.length}`);
    measure(`${name} size`, `${(plain.bytes.length / 1048576).toFixed(2)} MB, ${(gz.bytes.length / 1048576).toFixed(2)} MB gzip`);
  }
});

test('pages revalidate; models may be cached', { timeout: 15000 }, async () => {
  assert.equal((await get('/', { method: 'HEAD' })).headers['cache-control'], 'no-cache');
  assert.equal((await get('/worker.wasm', { method: 'HEAD' })).headers['cache-control'], 'no-cache');
  assert.match((await get('/models/facefinder', { method: 'HEAD' })).headers['cache-control'], /max-age=\d+/);
});
