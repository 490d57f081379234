// net.js — every network request the page's code makes goes through here, so
// the privacy counter counts real bytes rather than estimating. What is
// counted: the body of every request this code sends and every WebSocket
// message it sends. File downloads (GET) have no body and count 0; the
// headers the browser adds to them are not visible to a page and are not
// counted — the tooltip on the counter says so.

let sent = 0;
const listeners = new Set();

function add(n) {
  sent += n;
  for (const f of listeners) f(sent);
}

/** Bytes sent so far. */
export function bytesSent() { return sent; }

/** Calls f(total) whenever the count changes. */
export function onSent(f) { listeners.add(f); }

function bodySize(body) {
  if (body == null) return 0;
  if (typeof body === 'string') return new TextEncoder().encode(body).length;
  if (body instanceof Blob) return body.size;
  if (body instanceof ArrayBuffer) return body.byteLength;
  if (ArrayBuffer.isView(body)) return body.byteLength;
  if (body instanceof URLSearchParams) return new TextEncoder().encode(body.toString()).length;
  throw new TypeError('net: unsupported body type');
}

/**
 * request is the one way this page talks to the network. Same-origin only.
 * It counts the body it sends.
 */
export async function request(url, init = {}) {
  const u = new URL(url, location.href);
  if (u.origin !== location.origin) throw new Error('net: cross-origin request refused: ' + u.origin);
  const n = bodySize(init.body);
  const res = await fetch(u, { ...init, credentials: 'same-origin', referrerPolicy: 'no-referrer' });
  add(n);
  return res;
}

/**
 * fetchBytes downloads a same-origin file as an ArrayBuffer, reporting
 * progress(loaded, total) as it arrives (total is 0 when unknown).
 */
export async function fetchBytes(url, progress = () => {}) {
  const res = await request(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  // Content-Length is the transferred size; with Content-Encoding the
  // decoded bytes can exceed it, so the total only ever grows.
  let total = Number(res.headers.get('Content-Length')) || 0;
  if (res.headers.get('Content-Encoding')) total = 0;
  if (!res.body) {
    const b = await res.arrayBuffer();
    progress(b.byteLength, b.byteLength);
    return b;
  }
  const reader = res.body.getReader();
  const chunks = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    progress(loaded, Math.max(total, 0));
  }
  const out = new Uint8Array(loaded);
  let o = 0;
  for (const c of chunks) { out.set(c, o); o += c.byteLength; }
  progress(loaded, loaded);
  return out.buffer;
}

/** openSocket wraps a same-origin WebSocket so every send is counted. */
export function openSocket(path) {
  const u = new URL(path, location.href);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  if (u.host !== location.host) throw new Error('net: cross-origin socket refused');
  const ws = new WebSocket(u);
  return {
    ws,
    send(data) { ws.send(data); add(typeof data === 'string' ? new TextEncoder().encode(data).length : bodySize(data)); },
    close() { ws.close(); },
  };
}
