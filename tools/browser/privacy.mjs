// The privacy check shared by the browser tests: nothing that looks like an
// image leaves the page, nothing goes beyond this machine, and the page's
// own "bytes sent" counter matches what the browser actually sent.
import assert from 'node:assert/strict';
import { classifyPayload, isLoopback, pageRecord, hook, measure } from './lib.mjs';

/**
 * privacyProblems lists what is wrong with the traffic recorded by newPage
 * (rec) and the page's own record (sends: what the page handed to fetch,
 * sendBeacon, XMLHttpRequest and WebSocket). bytesSent is the page's counter,
 * or undefined to skip that comparison. An empty list means all is well.
 */
export function privacyProblems(rec, sends, bytesSent) {
  const problems = [];
  sends = sends || [];
  let bodies = 0;
  const matched = new Set();
  for (const r of rec.requests) {
    if (!isLoopback(r.url)) problems.push(`request to a non-loopback origin: ${r.method} ${r.url}`);
    if (r.verdict) problems.push(`${r.method} ${r.url} carries ${r.verdict} (starts ${r.head.toString('hex')})`);
    bodies += r.size;
    if (r.unreadable) {
      // The browser did not show the body: it must be one the page handed
      // over (recorded with its size and first bytes below).
      const s = sends.find((x, i) => !matched.has(i) && x.url === r.url && x.kind !== 'websocket' && matched.add(i));
      if (!s) problems.push(`${r.method} ${r.url} has a body the recorder cannot see, sent by no recorded page call (a worker?)`);
      else bodies += Math.max(0, s.size);
    }
  }
  for (const f of rec.wsFrames) {
    if (!isLoopback(f.url)) problems.push(`websocket to a non-loopback origin: ${f.url}`);
    if (f.verdict) problems.push(`websocket frame to ${f.url} carries ${f.verdict}`);
    bodies += f.size;
  }
  for (const s of sends) {
    if (s.size < 0) {
      problems.push(`the page sent a ${s.kind} body to ${s.url} of a type that cannot be measured (FormData, stream or Request)`);
      continue;
    }
    const verdict = classifyPayload(Buffer.from(s.head || []), s.size);
    if (verdict) problems.push(`the page sent a ${s.kind} body to ${s.url} carrying ${verdict}`);
  }
  if (bytesSent !== undefined && bytesSent !== bodies) {
    problems.push(`the page says it sent ${bytesSent} bytes; the browser sent ${bodies} bytes of request bodies and websocket frames`);
  }
  return problems;
}

/** checkPrivacy asserts that privacyProblems finds nothing on page. */
export async function checkPrivacy(page, rec) {
  const r = await pageRecord(page);
  const fw = await hook(page);
  measure('requests recorded', `${rec.requests.length} (${rec.requests.filter((q) => q.size > 0).length} with a body), ${rec.wsFrames.length} websocket frames sent`);
  measure('bytesSent counter', fw.bytesSent);
  assert.ok(rec.requests.some((q) => q.url.endsWith('.wasm')), 'the recorder saw no wasm download: it is not recording');
  assert.deepEqual(privacyProblems(rec, r.sends, fw.bytesSent), []);
  assert.equal(fw.bytesSent, 0, 'without a classroom nothing should be sent');
}
