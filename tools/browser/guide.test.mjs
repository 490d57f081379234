// The teacher's guide (/guide) and the students' handout
// (/guide/handout.html) on "facewatch serve -classroom":
//
// 1. Without a browser: the handout's QR encoder (playground/guide/qr.js)
//    on join-link-like texts of every version it makes (1–10), each drawn
//    as a PNG and read back by zbarimg; /guide redirects to /guide/ like a
//    directory, keeping the query, with the security headers on both.
// 2. The guide in English and Korean at 1280×800 and 390×844: every
//    message filled, every citation numbered and listed, every in-page
//    anchor and every same-site link answering, no sideways scrolling, no
//    errors, no request off the machine and nothing sent. Printed to PDF by
//    Chromium on A4 (page.pdf), checked with pdfinfo/pdftotext and turned
//    into PNGs with pdftoppm for looking at.
// 3. The handout from the teacher page: Start a class, follow "Print the
//    handout", and the handout's QR code, read by zbarimg from the
//    screenshot and from the printed one-page PDF, is the join address the
//    teacher page shows. A crafted link with another address is refused; a
//    typed code makes this site's join address.
//
// Needs poppler-utils (pdftoppm, pdfinfo, pdftotext) and zbar-tools
// (zbarimg). Screenshots and PDFs: ci-artifacts/screenshots/guide-*.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { ROOT, SHOTS, startServer, launch, newPage, isLoopback, pageRecord, screenshot } from './lib.mjs';

const MSG = Object.fromEntries(['en', 'ko'].map((l) => [l, JSON.parse(fs.readFileSync(path.join(ROOT, 'playground/guide/i18n', `${l}.json`), 'utf8'))]));
const PHONE = { width: 390, height: 844 };
const LAPTOP = { width: 1280, height: 800 };
const SECURITY = ['content-security-policy', 'permissions-policy', 'x-content-type-options', 'referrer-policy', 'cross-origin-opener-policy'];

function tool(name, args, opts = {}) {
  const r = spawnSync(name, args, { encoding: opts.encoding ?? 'utf8', maxBuffer: 64 << 20 });
  if (r.error && r.error.code === 'ENOENT') {
    throw new Error(`${name} is not installed (Debian: apt-get install ${name === 'zbarimg' ? 'zbar-tools' : 'poppler-utils'})`);
  }
  return r;
}

/** zbar returns the texts of the QR codes zbarimg reads in an image file. */
function zbar(file) {
  const r = tool('zbarimg', ['-q', '--raw', '-Sdisable', '-Sqrcode.enable', file]);
  return (r.stdout || '').split('\n').filter(Boolean);
}

// ---------- a PNG writer for the encoder test (grey, 8 bits) ----------

function crc32(buf) {
  let crc = 0xffffffff;
  for (const b of buf) {
    let c = (crc ^ b) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

function qrPNG(code, scale = 4, quiet = 4) {
  const n = (code.size + 2 * quiet) * scale;
  const raw = Buffer.alloc((n + 1) * n, 255);
  for (let y = 0; y < n; y++) {
    raw[y * (n + 1)] = 0;
    for (let x = 0; x < n; x++) {
      const mx = Math.floor(x / scale) - quiet, my = Math.floor(y / scale) - quiet;
      if (mx >= 0 && my >= 0 && mx < code.size && my < code.size && code.dark[my][mx]) raw[y * (n + 1) + 1 + x] = 0;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(n, 0);
  ihdr.writeUInt32BE(n, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grey
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlib.deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]);
}

// ---------- HTTP without a browser ----------

let server;
let browser;
before(async () => {
  server = await startServer({ args: ['-classroom'] });
  browser = await launch({ camera: null });
  fs.mkdirSync(SHOTS, { recursive: true });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

function get(p) {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(p, server.url), { method: 'GET' }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers }));
    });
    req.setTimeout(10000, () => req.destroy(new Error('timeout: ' + p)));
    req.on('error', reject);
    req.end();
  });
}

test('qr.js: every version it makes reads back as the same text', async () => {
  const { encode, MAX_VERSION } = await import(path.join(ROOT, 'playground/guide/qr.js'));
  const tmp = fs.mkdtempSync(path.join(SHOTS, '.qr-'));
  try {
    const base = 'https://classroom.example.org/classroom/join.html#ABCD-EFGH?';
    const seen = new Set();
    for (const len of [1, 14, 15, 26, 42, 43, 62, 63, 84, 85, 106, 107, 122, 123, 152, 153, 180, 181, 213]) {
      const text = (base + 'x'.repeat(300)).slice(0, len);
      const code = encode(text);
      seen.add(code.version);
      assert.equal(code.size, code.version * 4 + 17);
      const file = path.join(tmp, `v${code.version}-${len}.png`);
      fs.writeFileSync(file, qrPNG(code));
      assert.deepEqual(zbar(file), [text], `${len} bytes (version ${code.version}, mask ${code.mask}) did not read back`);
    }
    assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: MAX_VERSION }, (_, i) => i + 1), 'not every version was exercised');
    // Non-ASCII text is UTF-8 bytes.
    const ko = encode('수업에 참여하기');
    fs.writeFileSync(path.join(tmp, 'ko.png'), qrPNG(ko));
    assert.deepEqual(zbar(path.join(tmp, 'ko.png')), ['수업에 참여하기']);
    assert.throws(() => encode('x'.repeat(214)), RangeError);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('/guide redirects to /guide/ (query kept); guide and handout carry the security headers', { timeout: 20000 }, async () => {
  for (const [from, to] of [['/guide', '/guide/'], ['/guide?lang=ko', '/guide/?lang=ko']]) {
    const r = await get(from);
    assert.equal(r.status, 301, `${from}: ${r.status}`);
    assert.equal(r.headers.location, to);
    for (const h of SECURITY) assert.ok(r.headers[h], `${from}: no ${h}`);
  }
  for (const p of ['/guide/', '/guide/handout.html', '/guide/guide.js', '/guide/qr.js', '/guide/i18n/ko.json', '/teach']) {
    const r = await get(p);
    assert.ok([200, 302].includes(r.status), `${p}: ${r.status}`);
    for (const h of SECURITY) assert.ok(r.headers[h], `${p}: no ${h}`);
  }
  assert.match((await get('/guide/')).headers['content-type'], /^text\/html/);
});

// ---------- the guide in a browser ----------

async function openGuide(lang, viewport = LAPTOP) {
  const { context, page, rec } = await newPage(browser, { camera: false });
  await page.setViewportSize(viewport);
  await page.goto(new URL(`/guide?lang=${lang}`, server.url).href);
  await page.waitForFunction(() => window.facewatchGuide && (window.facewatchGuide.ready || window.facewatchGuide.error), null, { timeout: 15000 });
  return { context, page, rec };
}

async function checkNothingLeft(page, rec, what, { teacher = false } = {}) {
  const r = await pageRecord(page);
  assert.deepEqual(rec.errors, [], `${what}: errors`);
  assert.deepEqual(r.rejections, [], `${what}: unhandled rejections`);
  assert.deepEqual(r.sends, [], `${what}: the page sent something`);
  const off = rec.requests.filter((q) => !isLoopback(q.url));
  assert.deepEqual(off, [], `${what}: requests off the machine`);
  assert.deepEqual(rec.requests.filter((q) => !['GET', 'HEAD'].includes(q.method)), [], `${what}: requests that could carry a body`);
  // The teacher page beside it keeps its websocket; the guide pages open none.
  if (!teacher) assert.deepEqual(rec.wsFrames, [], `${what}: websocket frames`);
}

for (const lang of ['en', 'ko']) {
  test(`the guide in ${lang}: filled, cited, linked, printed on A4`, { timeout: 120000 }, async () => {
    const { context, page, rec } = await openGuide(lang);
    const g = await page.evaluate(() => window.facewatchGuide);
    assert.equal(g.error, undefined, `guide failed: ${g.error}`);
    assert.equal(g.lang, lang);
    assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
    assert.deepEqual(g.missing, [], 'message keys shown instead of words');
    assert.deepEqual(g.unknown, [], 'citations of unknown sources');
    assert.ok(g.cited.length >= 15, `only ${g.cited.length} sources cited`);
    assert.equal(await page.title(), MSG[lang].title);

    // Every message element has words; the timetable has a row per scene.
    const empty = await page.evaluate(() => [...document.querySelectorAll('[data-i18n]')].filter((e) => !e.textContent.trim()).map((e) => e.dataset.i18n));
    assert.deepEqual(empty, []);
    const plan = await page.evaluate(() => [...document.querySelectorAll('#plan-rows tr')].map((tr) => [...tr.children].map((td) => td.textContent)));
    const scenes = await page.evaluate(() => [...document.querySelectorAll('article.scene')].map((a) => a.dataset.scene));
    assert.equal(plan.length, scenes.length);
    assert.deepEqual(plan.map((r) => r[0]), scenes.map((s) => MSG[lang][`s.${s}.time`]));
    // The lesson covers 0 to 45 minutes without a gap.
    const spans = plan.map((r) => r[0].split('–').map(Number));
    assert.equal(spans[0][0], 0);
    assert.equal(spans.at(-1)[1], 45);
    for (let i = 1; i < spans.length; i++) assert.equal(spans[i][0], spans[i - 1][1], `gap before ${scenes[i]}`);
    // The scenes the issue asks for: the four playground scenes, the
    // classroom scenes, the gates and the consent conversation.
    for (const s of ['find', 'track', 'share', 'compare', 'gates', 'scale', 'case', 'consent', 'end']) assert.ok(scenes.includes(s), `no scene ${s}`);

    // Citations: numbered in order, each pointing at a listed source.
    const cites = await page.evaluate(() => [...document.querySelectorAll('.cite a')].map((a) => ({ text: a.textContent, href: a.getAttribute('href') })));
    assert.ok(cites.length >= 30, `${cites.length} citation links`);
    const listed = await page.evaluate(() => [...document.querySelectorAll('#source-list li')].map((li) => ({ id: li.id, value: li.value, text: li.textContent, href: li.querySelector('a')?.href || '', note: li.querySelector('.note')?.textContent || '' })));
    assert.equal(listed.length, g.cited.length);
    for (const c of cites) {
      const li = listed.find((l) => `#${l.id}` === c.href);
      assert.ok(li, `citation ${c.text} → ${c.href} is not in the list`);
      assert.equal(c.text, `[${li.value}]`);
    }
    // Links are https; a source with no link, or only an http one, says
    // why (sources.json linkNote, checked there by story.test.mjs).
    for (const l of listed) assert.ok(l.href === '' ? /\S/.test(l.text) : /^https:\/\//.test(l.href) || (/^http:\/\//.test(l.href) && l.note), `${l.id}: ${l.href}`);

    // In-page anchors resolve; same-site links answer.
    const links = await page.evaluate(() => [...document.querySelectorAll('a[href]')].map((a) => ({ raw: a.getAttribute('href'), href: a.href })));
    for (const l of links.filter((x) => x.raw.startsWith('#'))) {
      assert.ok(await page.evaluate((id) => !!document.getElementById(id), l.raw.slice(1)), `anchor ${l.raw} has no target`);
    }
    const local = links.filter((x) => !x.raw.startsWith('#') && new URL(x.href).origin === new URL(server.url).origin);
    for (const want of ['/classroom/teach.html', '/guide/handout.html', '/']) assert.ok(local.some((l) => new URL(l.href).pathname === want), `no link to ${want}`);
    for (const l of local) {
      const r = await page.request.get(l.href);
      assert.equal(r.status(), 200, `${l.raw} → ${r.status()}`);
    }

    if (lang === 'ko') {
      // No English message left over after the switch.
      const text = await page.evaluate(() => document.querySelector('main').innerText);
      const left = Object.entries(MSG.en).filter(([k, v]) => !k.startsWith('_') && v.length > 20 && v !== MSG.ko[k] && text.includes(v)).map(([k]) => k);
      assert.deepEqual(left, [], 'English text on the Korean guide');
      assert.ok((text.match(/[\uac00-\ud7a3]/g) || []).length > 3000, 'little Korean on the Korean guide');
    }

    await screenshot(page, `guide-${lang}-1280`);
    await page.locator('#scene-gates').scrollIntoViewIfNeeded();
    await screenshot(page, `guide-${lang}-1280-gates`);

    // Phone: no sideways scrolling, and the lesson still reads.
    await page.setViewportSize(PHONE);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(200);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'the guide scrolls sideways at 390 px');
    await screenshot(page, `guide-${lang}-390`);
    await page.locator('#data').scrollIntoViewIfNeeded();
    await screenshot(page, `guide-${lang}-390-data`);

    // Print: A4, the screen-only parts hidden, the reference parts present.
    await page.setViewportSize(LAPTOP);
    // (page.pdf prints with the emulated media: print, as a browser does.)
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('.top')).display), 'none');
    const pdf = path.join(SHOTS, `guide-${lang}.pdf`);
    await page.pdf({ path: pdf, format: 'A4', preferCSSPageSize: true, printBackground: true });
    const info = tool('pdfinfo', [pdf]).stdout;
    const pages = Number(info.match(/^Pages:\s+(\d+)/m)?.[1]);
    assert.match(info, /^Page size:.*\(A4\)$/m, info);
    assert.ok(pages >= 5 && pages <= 16, `${pages} pages`);
    const printed = tool('pdftotext', ['-layout', pdf, '-']).stdout;
    for (const k of ['goals.h', 'consent.h', 'data.h', 'q.h', 'src.h', 's.gates.title', 'case.h']) {
      assert.ok(printed.replace(/\s+/g, ' ').includes(MSG[lang][k].replace(/\s+/g, ' ').slice(0, 12)), `the print lacks ${k}`);
    }
    assert.ok(!printed.includes(MSG[lang]['nav.print']), 'the print button was printed');
    assert.doesNotMatch(printed, /\bs\.\w+\.\w+\b|\bq\.\w+\.\d\b/, 'a message key was printed');
    // Each page as a PNG, to look at.
    const prefix = path.join(SHOTS, `guide-${lang}-page`);
    for (const f of fs.readdirSync(SHOTS)) if (f.startsWith(`guide-${lang}-page`)) fs.rmSync(path.join(SHOTS, f));
    const r = tool('pdftoppm', ['-r', '70', '-png', pdf, prefix]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(fs.readdirSync(SHOTS).filter((f) => f.startsWith(`guide-${lang}-page`)).length, pages);
    console.log(`guide ${lang}: ${pages} A4 pages, ${g.cited.length} sources cited`);

    await checkNothingLeft(page, rec, `guide ${lang}`);
    await context.close();
  });
}

// ---------- the handout from the teacher page ----------

test('the handout from the teacher page: its QR code reads as the join address, on screen and printed on one A4 page', { timeout: 120000 }, async () => {
  const { context, page, rec } = await newPage(browser, { camera: false });
  await page.setViewportSize(LAPTOP);
  await page.goto(new URL('/teach?lang=ko', server.url).href);
  // Before a class starts, the teacher page links the guide.
  await page.locator('#guide').waitFor();
  assert.equal((await page.request.get(await page.locator('#guide').evaluate((a) => a.href))).status(), 200);
  await screenshot(page, 'guide-teach-start-ko-1280');
  await page.locator('#create').click();
  await page.waitForFunction(() => window.facewatchClassroom && window.facewatchClassroom.code, null, { timeout: 15000 });
  const teacher = await page.evaluate(() => window.facewatchClassroom);
  assert.match(teacher.joinURL, /\/classroom\/join\.html#[2-9A-Z]{4}-[2-9A-Z]{4}$/);
  // The guide is linked from the start panel (now hidden), the handout from the room.
  await screenshot(page, 'guide-teach-ko-1280');
  const [hp] = await Promise.all([context.waitForEvent('page'), page.locator('#handout').click()]);
  await hp.waitForFunction(() => window.facewatchHandout && window.facewatchHandout.ready, null, { timeout: 15000 });
  const h = await hp.evaluate(() => window.facewatchHandout);
  assert.equal(h.joinURL, teacher.joinURL);
  assert.equal(h.code, teacher.display);
  assert.equal(new URL(hp.url()).search, '?lang=ko');
  assert.equal(await hp.evaluate(() => document.documentElement.lang), 'ko');
  // The code travels in the fragment: no request carried it.
  const code = teacher.display;
  assert.deepEqual(rec.requests.filter((q) => q.url.includes(code) || q.url.includes(encodeURIComponent(code))), [], 'the join code went to a server');
  assert.equal(await hp.locator('#url').textContent(), teacher.joinURL);
  assert.equal(await hp.locator('#code').textContent(), teacher.display);

  await hp.setViewportSize(LAPTOP);
  const shot = await screenshot(hp, 'guide-handout-ko-1280');
  assert.deepEqual(zbar(shot), [teacher.joinURL], 'the QR code on screen');
  await hp.setViewportSize(PHONE);
  await hp.waitForTimeout(200);
  assert.ok(await hp.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'the handout scrolls sideways at 390 px');
  const phone = await screenshot(hp, 'guide-handout-ko-390');
  assert.deepEqual(zbar(phone), [teacher.joinURL], 'the QR code on a phone');

  for (const lang of ['ko', 'en']) {
    await hp.locator(`[data-lang="${lang}"]`).click();
    await hp.waitForFunction((l) => document.documentElement.lang === l, lang);
    const pdf = path.join(SHOTS, `guide-handout-${lang}.pdf`);
    await hp.emulateMedia({ media: 'print' });
    await hp.pdf({ path: pdf, format: 'A4', preferCSSPageSize: true });
    await hp.emulateMedia({ media: null });
    const info = tool('pdfinfo', [pdf]).stdout;
    assert.match(info, /^Pages:\s+1$/m, `the handout is not one page:\n${info}`);
    const prefix = path.join(SHOTS, `guide-handout-${lang}-page`);
    assert.equal(tool('pdftoppm', ['-r', '150', '-png', '-singlefile', pdf, prefix]).status, 0);
    assert.deepEqual(zbar(prefix + '.png'), [teacher.joinURL], `the printed QR code (${lang})`);
    const printed = tool('pdftotext', [pdf, '-']).stdout.replace(/\s+/g, ' ');
    for (const k of ['h.h', 'h.step3', 'h.step5']) assert.ok(printed.includes(MSG[lang][k].slice(0, 10)), `the printed handout lacks ${k}`);
    assert.ok(!printed.includes(MSG[lang]['h.print']), 'the print button was printed');
  }
  await checkNothingLeft(hp, rec, 'handout', { teacher: true });
  await context.close();
});

test('the handout refuses a link to another address, and makes one from a typed code', { timeout: 60000 }, async () => {
  const { context, page, rec } = await newPage(browser, { camera: false });
  const crafted = 'https://elsewhere.example/phish#ABCD-EFGH';
  await page.goto(new URL(`/guide/handout.html?lang=en#${encodeURIComponent(crafted)}`, server.url).href);
  await page.waitForFunction(() => window.facewatchHandout && window.facewatchHandout.ready);
  let h = await page.evaluate(() => window.facewatchHandout);
  assert.equal(h.error, 'bad_link');
  assert.equal(h.joinURL, '');
  assert.ok(await page.locator('#badlink').isVisible());
  assert.ok(await page.locator('#sheet').isHidden());
  assert.equal(await page.locator('#qr svg').count(), 0);
  assert.ok(await page.locator('#print').isDisabled());

  await page.locator('#code-input').fill('ABCD-EFG0'); // 0 is not in the alphabet
  await page.locator('#make').click();
  assert.ok(await page.locator('#code-error').isVisible());
  assert.ok(await page.locator('#sheet').isHidden());
  await page.locator('#code-input').fill('abcd efgh');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.facewatchHandout.joinURL !== '');
  h = await page.evaluate(() => window.facewatchHandout);
  const want = new URL('/classroom/join.html#ABCD-EFGH', server.url).href;
  assert.equal(h.joinURL, want);
  assert.ok(await page.locator('#code-error').isHidden());
  await page.setViewportSize(LAPTOP);
  const shot = await screenshot(page, 'guide-handout-en-typed');
  assert.deepEqual(zbar(shot), [want]);
  // Its way back to the guide answers.
  const back = await page.locator('#link-guide').evaluate((a) => a.href);
  assert.equal(new URL(back).pathname, '/guide/');
  assert.equal((await page.request.get(back)).status(), 200);
  await checkNothingLeft(page, rec, 'typed handout');
  await context.close();
});
