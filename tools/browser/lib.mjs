// Shared pieces of the browser tests: the facewatch server, Chromium with a
// fake camera, and recorders for errors, network traffic, per-frame results,
// long tasks and CPU. Every test file imports what it needs; run.sh prepares
// the binary, the built site and the fake-camera files first.
//
// Environment (run.sh sets the first four):
//   FACEWATCH_BIN        the facewatch binary          (default out/bin/facewatch)
//   FACEWATCH_SITE       the built site it serves      (default out/browser-site)
//   FACEWATCH_Y4M_DIR    fake-camera .y4m files        (default out/clips)
//   FACEWATCH_URL        use this running server instead of starting one
//   CHROMIUM             the browser                   (default /usr/bin/chromium)
//   FACEWATCH_SHOTS      screenshot directory          (default ci-artifacts/screenshots)
//   FACEWATCH_MEASURE_S  seconds of fps/CPU measuring  (default 10)
//   FACEWATCH_HEADED=1   show the browser window (needs a display)

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const env = process.env;
export const BIN = path.resolve(ROOT, env.FACEWATCH_BIN || 'out/bin/facewatch');
export const SITE = path.resolve(ROOT, env.FACEWATCH_SITE || 'out/browser-site');
export const Y4M_DIR = path.resolve(ROOT, env.FACEWATCH_Y4M_DIR || 'out/clips');
export const SHOTS = path.resolve(ROOT, env.FACEWATCH_SHOTS || 'ci-artifacts/screenshots');
export const CHROMIUM = env.CHROMIUM || '/usr/bin/chromium';
export const MEASURE_S = Number(env.FACEWATCH_MEASURE_S || 10);

/** Prints a measurement line; run.sh collects lines starting with "measure:". */
export function measure(what, value) {
  console.log(`measure: ${what}: ${value}`);
}

/**
 * startServer runs "facewatch serve -dir SITE" (plus args, e.g.
 * ['-classroom']) on a free loopback port and resolves to { url, stop } once
 * it prints its URL.
 */
export async function startServer({ args = [] } = {}) {
  if (env.FACEWATCH_URL) return { url: env.FACEWATCH_URL.replace(/\/?$/, '/'), stop: async () => {} };
  for (const [what, p] of [['binary', BIN], ['site', path.join(SITE, 'index.html')]]) {
    if (!fs.existsSync(p)) throw new Error(`${what} ${p} missing: run tools/browser/run.sh`);
  }
  const child = spawn(BIN, ['serve', '-addr', '127.0.0.1:0', '-dir', SITE, ...args], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const lines = readline.createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('facewatch serve printed no URL in 15 s: ' + stderr)), 15000);
    lines.on('line', (l) => {
      const m = l.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (m) { clearTimeout(timer); resolve(m[0]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`facewatch serve exited (${code}): ${stderr}`)); });
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
    await once(child, 'exit');
    clearTimeout(timer);
  };
  return { url, stop };
}

/**
 * launch starts headless Chromium. camera is the name of a .y4m in Y4M_DIR
 * that the fake camera loops, or null for a machine without a camera.
 * Run as root, Chromium refuses to start with its sandbox ("Chromium
 * sandboxing failed!"): --no-sandbox is needed (playwright-core adds it too
 * unless chromiumSandbox is set; it is spelled out here so the requirement
 * is visible). The GPU flags stay at their defaults: WebGL2 works through
 * SwiftShader.
 */
export async function launch({ camera = null, executable = CHROMIUM } = {}) {
  const args = [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-default-apps',
    '--mute-audio',
    '--autoplay-policy=no-user-gesture-required',
  ];
  if (camera) {
    const file = path.join(Y4M_DIR, camera + '.y4m');
    if (!fs.existsSync(file)) throw new Error(`${file} missing: run scripts/clips.sh --y4m ${Y4M_DIR}`);
    args.push('--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${file}`);
  } else {
    // No camera at all: the fake UI would grant nothing, so deny prompts.
    args.push('--deny-permission-prompts');
  }
  return chromium.launch({ executablePath: executable, headless: env.FACEWATCH_HEADED !== '1', args });
}

/** newPage opens a context and page with the recorders installed. */
export async function newPage(browser, { camera = true } = {}) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    permissions: camera ? ['camera'] : [],
  });
  const rec = {
    errors: [], requests: [], wsFrames: [],
  };
  context.on('console', (m) => {
    if (m.type() === 'error') rec.errors.push(`console: ${m.text()} (${m.location().url || ''})`);
  });
  context.on('weberror', (e) => rec.errors.push(`pageerror: ${e.error().message}`));
  context.on('request', (r) => rec.requests.push(describeRequest(r)));
  await context.addInitScript({ content: INIT_SCRIPT });
  const page = await context.newPage();
  page.on('pageerror', (e) => rec.errors.push(`pageerror: ${e.message}`));
  page.on('crash', () => rec.errors.push('page crashed'));
  page.on('worker', (w) => {
    w.on('console', (m) => { if (m.type() === 'error') rec.errors.push(`worker console: ${m.text()}`); });
  });
  page.on('websocket', (ws) => {
    ws.on('framesent', ({ payload }) => {
      const buf = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
      rec.wsFrames.push({ url: ws.url(), size: buf.length, head: buf.subarray(0, 16), verdict: classifyPayload(buf) });
    });
  });
  return { context, page, rec };
}

function describeRequest(r) {
  let body = null;
  try { body = r.postDataBuffer(); } catch { body = null; }
  const buf = body || Buffer.alloc(0);
  // Chromium does not hand Blob bodies (and some others) to the recorder:
  // such a request is "unreadable" and must be matched with what the page
  // itself handed to fetch/sendBeacon (see privacyProblems).
  const unreadable = !body && !['GET', 'HEAD', 'OPTIONS'].includes(r.method());
  return {
    url: r.url(), method: r.method(), type: r.resourceType(), unreadable,
    size: buf.length, head: buf.subarray(0, 16), verdict: classifyPayload(buf),
  };
}

/**
 * classifyPayload returns why a payload looks like image data, or null:
 * JPEG, PNG, WebP, GIF or BMP signatures in the first bytes, base64 image
 * text, or a size (default: the buffer's) of at least one 640x480 grey frame.
 */
export function classifyPayload(buf, size) {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf);
  const n = size ?? b.length;
  const head = b.subarray(0, 64);
  const has = (sig, at = -1) => (at >= 0 ? head.subarray(at, at + sig.length).equals(sig) : head.indexOf(sig) >= 0);
  if (has(Buffer.from([0xff, 0xd8, 0xff]))) return 'JPEG signature';
  if (has(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'PNG signature';
  if (has(Buffer.from('RIFF'), 0) && has(Buffer.from('WEBP'), 8)) return 'WebP signature';
  if (has(Buffer.from('GIF8'), 0)) return 'GIF signature';
  if (has(Buffer.from('BM'), 0) && n > 54 && b.length >= 6 && b.readUInt32LE(2) === n) return 'BMP signature';
  // Images encoded as text (data: URLs, base64 in JSON).
  const text = head.toString('latin1');
  if (/data:image\//.test(text) || text.includes('/9j/') || text.includes('iVBORw0KGgo') || text.includes('UklGR')) return 'base64 image';
  if (n >= 640 * 480) return `frame-sized payload (${n} bytes)`;
  return null;
}

/** isLoopback reports whether a URL stays on this machine (or in the page). */
export function isLoopback(u) {
  let url;
  try { url = new URL(u); } catch { return false; }
  if (['data:', 'blob:', 'about:'].includes(url.protocol)) return true;
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

// INIT_SCRIPT runs before the page's own scripts in every frame: it records
// unhandled rejections and errors, long main-thread tasks, what the page
// hands to sendBeacon/fetch/XMLHttpRequest/WebSocket, and, on every
// animation frame, the facewatch hook's frame counter with its faces and
// tracks whenever the counter moved.
const INIT_SCRIPT = `(() => {
  const rec = window.__fwrec = { rejections: [], errors: [], longtasks: [], sends: [], frames: [] };
  addEventListener('unhandledrejection', (e) => rec.rejections.push(String(e.reason && (e.reason.stack || e.reason.message) || e.reason)));
  addEventListener('error', (e) => rec.errors.push(String(e.message || e.type) + ' ' + (e.filename || (e.target && e.target.src) || '')), true);
  try {
    new PerformanceObserver((l) => { for (const t of l.getEntries()) rec.longtasks.push({ start: t.startTime, ms: t.duration }); })
      .observe({ type: 'longtask', buffered: true });
  } catch (e) {}
  const size = (b) => {
    if (b == null) return 0;
    if (typeof b === 'string') return new TextEncoder().encode(b).length;
    if (b instanceof Blob) return b.size;
    if (b instanceof ArrayBuffer) return b.byteLength;
    if (ArrayBuffer.isView(b)) return b.byteLength;
    if (b instanceof URLSearchParams) return new TextEncoder().encode(b.toString()).length;
    return -1; // FormData, ReadableStream, Request: not measurable here
  };
  const head = async (b) => {
    if (b == null) return [];
    if (typeof b === 'string' || b instanceof URLSearchParams) return Array.from(new TextEncoder().encode(String(b).slice(0, 64)));
    if (b instanceof Blob) return Array.from(new Uint8Array(await b.slice(0, 64).arrayBuffer()));
    if (b instanceof ArrayBuffer) return Array.from(new Uint8Array(b, 0, Math.min(64, b.byteLength)));
    if (ArrayBuffer.isView(b)) return Array.from(new Uint8Array(b.buffer, b.byteOffset, Math.min(64, b.byteLength)));
    return [];
  };
  const abs = (u) => { try { return new URL(String(u), location.href).href; } catch (e) { return String(u); } };
  const note = (kind, url, body) => {
    const entry = { kind, url: abs(url), size: size(body), head: null };
    rec.sends.push(entry);
    head(body).then((h) => { entry.head = h; }, () => { entry.head = []; });
  };
  const wrap = (obj, name, fn) => {
    const orig = obj && obj[name];
    if (typeof orig !== 'function') return;
    obj[name] = function (...args) {
      try { fn.call(this, args); } catch (e) {}
      return orig.apply(this, args);
    };
  };
  wrap(navigator, 'sendBeacon', (a) => note('beacon', a[0], a[1]));
  wrap(window, 'fetch', (a) => {
    const req = a[0] instanceof Request ? a[0] : null;
    const body = a[1] && 'body' in a[1] ? a[1].body : (req && req.method !== 'GET' && req.method !== 'HEAD' ? req : null);
    if (body != null) note('fetch', req ? req.url : a[0], body instanceof Request ? new FormData() : body);
  });
  wrap(XMLHttpRequest.prototype, 'open', function (a) { this.__fwurl = a[1]; });
  wrap(XMLHttpRequest.prototype, 'send', function (a) { if (a[0] != null) note('xhr', this.__fwurl, a[0]); });
  wrap(WebSocket.prototype, 'send', function (a) { note('websocket', this.url, a[0]); });
  if (window.top !== window) return;
  let last = -1;
  const tick = () => {
    const fw = window.facewatch;
    if (fw && typeof fw.frames === 'number' && fw.frames !== last) {
      last = fw.frames;
      rec.frames.push({
        t: performance.now(), frames: fw.frames, source: fw.source,
        faces: (fw.faces || []).map((f) => ({ x: f.x, y: f.y, w: f.w, h: f.h, score: f.score })),
        tracks: (fw.tracks || []).map((t) => ({ id: t.id, x: t.x, y: t.y, w: t.w, h: t.h, state: t.state, recall: t.recall || null })),
      });
      if (rec.frames.length > 20000) rec.frames.splice(0, 10000);
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();`;

/** pageRecord returns what INIT_SCRIPT recorded in the top frame. */
export function pageRecord(page) {
  return page.evaluate(() => window.__fwrec);
}

/** hook returns a copy of window.facewatch (or null). */
export function hook(page) {
  return page.evaluate(() => (window.facewatch ? JSON.parse(JSON.stringify(window.facewatch)) : null));
}

/**
 * start chooses a source on the start screen: 'camera' or 'clip'. Pages that
 * start on their own (no start screen) are left alone.
 */
export async function start(page, source) {
  const sel = source === 'camera' ? '#use-camera' : '#use-clip';
  const btn = page.locator(sel);
  if (await btn.count()) await btn.click();
}

/** waitFor polls fn in the page until it returns truthy, or throws. */
export async function waitFor(page, fn, arg, { timeout = 20000, what = 'condition' } = {}) {
  try {
    const h = await page.waitForFunction(fn, arg, { timeout, polling: 50 });
    return h.jsonValue();
  } catch (e) {
    const fw = await hook(page).catch(() => null);
    throw new Error(`timed out after ${timeout} ms waiting for ${what}; window.facewatch = ${JSON.stringify(fw)}`);
  }
}

/** screenshot saves a PNG into SHOTS. */
export async function screenshot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, name + '.png');
  await page.screenshot({ path: file });
  return file;
}

/**
 * longestRun finds, in the recorded frames, the longest stretch of processed
 * frames during which one track ID stayed present. Samples further apart
 * than maxGap frames break a run (the recorder may have missed frames in
 * between). Returns { id, frames, from, to, ids } where ids counts distinct
 * track IDs seen at all.
 */
export function longestRun(frames, maxGap = 3) {
  let best = { id: null, frames: 0, from: 0, to: 0 };
  const open = new Map(); // id → first frame number of its current run
  let prev = null;
  const ids = new Set();
  for (const s of frames) {
    const now = new Set(s.tracks.map((t) => t.id));
    for (const id of now) ids.add(id);
    const broken = prev !== null && s.frames - prev > maxGap;
    for (const [id, from] of [...open]) {
      if (broken || !now.has(id)) open.delete(id);
    }
    for (const id of now) if (!open.has(id)) open.set(id, s.frames);
    for (const [id, from] of open) {
      const n = s.frames - from + 1;
      if (n > best.frames) best = { id, frames: n, from, to: s.frames };
    }
    prev = s.frames;
  }
  return { ...best, ids: ids.size };
}

/**
 * cpuSampler measures the CPU time of this process's descendants (Chromium
 * and its helpers; the facewatch server is left out) on Linux. start()
 * then stop() returns percent of one core, or null elsewhere.
 */
export function cpuSampler() {
  const hz = 100; // USER_HZ on Linux
  const read = () => {
    let procs;
    try { procs = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)); } catch { return null; }
    const info = new Map();
    for (const pid of procs) {
      try {
        const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const close = s.lastIndexOf(')');
        const comm = s.slice(s.indexOf('(') + 1, close);
        const f = s.slice(close + 2).split(' ');
        info.set(Number(pid), { comm, ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
      } catch { /* gone */ }
    }
    let total = 0;
    const want = new Set([process.pid]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const [pid, p] of info) {
        if (!want.has(pid) && want.has(p.ppid) && p.comm !== 'facewatch') { want.add(pid); grew = true; }
      }
    }
    want.delete(process.pid);
    for (const pid of want) total += info.get(pid).ticks;
    return total;
  };
  let t0, c0;
  return {
    start() { t0 = performance.now(); c0 = read(); },
    stop() {
      const c1 = read();
      if (c0 === null || c1 === null) return null;
      return (100 * (c1 - c0) / hz) / ((performance.now() - t0) / 1000);
    },
  };
}

/** i18nText returns the message key's text in lang from the built site. */
export function i18n(lang) {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'playground', 'i18n', lang + '.json'), 'utf8'));
}
