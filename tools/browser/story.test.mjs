// The story scenes (playground/js/story/): "Who does the machine think you
// are?" and "Where did the faces go?". Without a browser: every figure in
// their messages is in the sources list, every citation resolves, and the
// base-rate fixture holds the 58. In headless Chromium on the fake
// camera (one face, the pigo sample): enrolment, a gallery from the test
// photos (with a non-image, a broken image and a photo without a face),
// the threshold turning a stranger into "you", the base-rate panel against
// the Go-computed fixture for every preset, the visitor's own record, both
// languages, phone width, reduced motion, privacy and no errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ROOT, SHOTS, startServer, launch, newPage, start, waitFor, hook, pageRecord, screenshot, measure,
} from './lib.mjs';
import { checkPrivacy } from './privacy.mjs';

const PG = path.join(ROOT, 'playground');
const readJSON = (p) => JSON.parse(fs.readFileSync(p, 'utf8'));
const SOURCES = readJSON(path.join(PG, 'i18n', 'sources.json'));
const MESSAGES = { en: readJSON(path.join(PG, 'i18n', 'story.en.json')), ko: readJSON(path.join(PG, 'i18n', 'story.ko.json')) };
const FIXTURE = readJSON(path.join(ROOT, 'wasm', 'internal', 'story', 'testdata', 'baserate.json'));
const HTML = fs.readFileSync(path.join(PG, 'index.html'), 'utf8');
const photo = (name) => path.join(ROOT, 'assets', 'testdata', name);

// ---------- figures and sources (no browser) ----------

/** numbers returns the numeric tokens of a text, leading zeros dropped. */
function numbers(text) {
  return [...String(text).matchAll(/\d+(?:[.,]\d+)*/g)].map((m) => m[0].replace(/^0+(?=\d)/, ''));
}

/** allowed is every numeric token the sources list for lang. */
function allowed(lang) {
  const set = new Set();
  for (const s of SOURCES.sources) {
    for (const f of s.figures[lang]) for (const n of numbers(f)) set.add(n);
    for (const n of numbers(s.title[lang])) set.add(n);
    for (const n of numbers(s.date)) set.add(n);
  }
  return set;
}

test('every figure in the story messages is listed by a source', () => {
  for (const lang of ['en', 'ko']) {
    const ok = allowed(lang);
    const bad = [];
    for (const [k, v] of Object.entries(MESSAGES[lang])) {
      if (k.startsWith('_')) continue;
      for (const n of numbers(v.replace(/\{\w+\}/g, ''))) if (!ok.has(n)) bad.push(`${k}: ${n}`);
    }
    assert.deepEqual(bad, [], `${lang}: figures not in sources.json`);
  }
});

test('the figure check catches an invented number', () => {
  const ok = allowed('en');
  assert.ok(ok.has('57.6') && ok.has('2,297') && ok.has('34.7'), 'known figures missing from the allowed set');
  for (const invented of ['58.1', '2,298', '99.9', '4,242']) assert.ok(!ok.has(invented), `${invented} passes`);
});

test('every citation resolves, every source is cited, every source has a link or says why not', () => {
  const ids = new Set(SOURCES.sources.map((s) => s.id));
  const cited = new Set();
  for (const m of HTML.matchAll(/data-src="([^"]+)"/g)) {
    for (const id of m[1].split(/\s+/)) {
      assert.ok(ids.has(id), `index.html cites unknown source ${id}`);
      cited.add(id);
    }
  }
  for (const x of [...SOURCES.baseRate.galleries, ...SOURCES.baseRate.rates]) for (const id of x.sources) { assert.ok(ids.has(id), id); cited.add(id); }
  assert.deepEqual([...ids].filter((id) => !cited.has(id)), [], 'sources listed but never cited');
  for (const s of SOURCES.sources) {
    if (['assumption', 'derived'].includes(s.kind)) assert.equal(s.url, '', `${s.id}: our own numbers have no link`);
    else if (s.url === '' || /^http:\/\//.test(s.url)) {
      // A document with no address of its own, or one only known at an
      // http address: the page says why, in the source's own words.
      for (const lang of ['en', 'ko']) assert.ok(s.linkNote?.[lang]?.trim(), `${s.id}: ${s.url ? 'an http link' : 'no link'} and no ${lang} linkNote saying why`);
    } else assert.match(s.url, /^https:\/\//, `${s.id}: no https link`);
    for (const lang of ['en', 'ko']) {
      assert.ok(s.title[lang] && s.by[lang], `${s.id}: no ${lang} title or author`);
      assert.ok(MESSAGES[lang][`sources.kind.${s.kind}`], `${s.id}: kind ${s.kind} has no ${lang} label`);
    }
  }
});

test('every source has a kind, a publisher and a date, or says why it has no date', () => {
  for (const s of SOURCES.sources) {
    assert.ok(s.kind, `${s.id}: no kind`);
    assert.match(s.date, /^(\d{4}(-\d{2}(-\d{2})?)?)?$/, `${s.id}: date ${JSON.stringify(s.date)} is not YYYY, YYYY-MM or YYYY-MM-DD`);
    for (const lang of ['en', 'ko']) {
      assert.ok(s.by[lang]?.trim(), `${s.id}: no ${lang} publisher`);
      assert.ok(s.date || s.dateNote?.[lang]?.trim(), `${s.id}: no date and no ${lang} dateNote saying why`);
    }
  }
  // South Wales Police's 2,470 and 2,297 are the figures published in 2018
  // (later figures differ): the page says when they were reported.
  for (const lang of ['en', 'ko']) assert.match(MESSAGES[lang]['gaps.wales'], /2,470.*2,297.*2018-05/, `${lang}: gaps.wales does not say the figures were reported in 2018-05`);
});

test('the end of the project: the timeline and the sides say which source gives which date', () => {
  // The groups' notice of 2022-07-20: until about 2021-10; the reports of the
  // Commission's decision: stopped in 2021-10; the Court's dismissal as
  // reported: ended on 2021-12-31.
  for (const lang of ['en', 'ko']) {
    for (const k of ['tl.6', 'tl.6.date', 'sides.court']) {
      assert.match(MESSAGES[lang][k], /2021-10/, `${lang} ${k}`);
      assert.match(MESSAGES[lang][k], /2021-12-31/, `${lang} ${k}`);
    }
    for (const k of ['tl.6', 'sides.court']) assert.match(MESSAGES[lang][k], /2022-07-20/, `${lang} ${k} does not name the notice`);
  }
  const cites = (key) => HTML.match(new RegExp(`data-i18n="${key.replace('.', '\\.')}"></p><p class="src" data-src="([^"]+)"`))[1].split(' ');
  for (const id of ['minbyun-2022-07-20', 'yonhap-2022-04-27', 'khan-2026-02-26']) {
    assert.ok(cites('tl.6').includes(id), `tl.6 does not cite ${id}`);
    assert.ok(cites('sides.court').includes(id), `sides.court does not cite ${id}`);
  }
});

test('the base-rate fixture holds the issue\'s figure: 58 (±1) innocent candidates for 57.6 M at 1e-6', () => {
  const c = FIXTURE.cases.find((x) => x.gallery === 'korean' && x.rate === 'million');
  assert.ok(c, 'no korean × million case');
  assert.equal(c.result.gallerySize, 57600000);
  assert.equal(c.result.falseMatchRate, 1e-6);
  assert.ok(Math.abs(c.result.expectedFalseCandidates - 58) <= 1, `${c.result.expectedFalseCandidates}`);
  assert.equal(FIXTURE.cases.length, SOURCES.baseRate.galleries.length * SOURCES.baseRate.rates.length, 'the fixture does not cover every preset: run go test ./wasm/internal/story -update');
});

// ---------- in the browser ----------

let server, browser, page, rec, context, tmp;

before(async () => {
  server = await startServer();
  browser = await launch({ camera: 'one-face' });
  ({ context, page, rec } = await newPage(browser));
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'facewatch-story-'));
  await page.goto(server.url + '?lang=en', { waitUntil: 'load', timeout: 60000 });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function scene(name) {
  await page.locator(`[data-scene="${name}"]`).click();
  await waitFor(page, (s) => window.facewatch.scene === s && window.facewatch.storyReady, name, { what: `scene ${name}`, timeout: 10000 });
}

test('the misidentification scene renders on the camera', { timeout: 90000 }, async () => {
  await start(page, 'camera');
  await waitFor(page, () => window.facewatch.ready && window.facewatch.faces.length > 0, null, { what: 'a face on the camera', timeout: 60000 });
  await scene('misid');
  assert.equal(await page.locator('#scene-misid').isVisible(), true);
  assert.equal(await page.locator('#story-misid').isVisible(), true);
  assert.equal(await page.locator('#story-sources li').count(), SOURCES.sources.length);
  await screenshot(page, 'story-misid-start');
});

test('enrolment takes the visitor\'s face from the camera', { timeout: 120000 }, async () => {
  const t0 = Date.now();
  await page.locator('#misid-enrol').click();
  await waitFor(page, () => window.facewatch.enrolled >= 3, null, { what: 'enrolment', timeout: 110000 });
  measure('enrolment (incl. loading the recognition network)', `${Date.now() - t0} ms`);
  assert.equal(await page.locator('#misid-you canvas').count(), (await hook(page)).enrolled);
});

test('photos build a gallery locally, with clear messages for bad files', { timeout: 120000 }, async () => {
  const broken = path.join(tmp, 'broken.jpg');
  fs.writeFileSync(broken, Buffer.from('this is not a JPEG at all'));
  const text = path.join(tmp, 'notes.txt');
  fs.writeFileSync(text, 'hello');
  const files = ['pigo-sample.jpg', 'astronaut.png', 'faceapi-sample1.jpg', 'faceapi-sample3.jpg', 'coins.png'].map(photo);
  const t0 = Date.now();
  await page.locator('#misid-files').setInputFiles([...files, broken, text]);
  await waitFor(page, () => document.querySelectorAll('#misid-messages li').length >= 7 && !/…/.test(document.getElementById('misid-messages').textContent), null, { what: 'all files read', timeout: 110000 });
  measure('gallery from 7 files', `${Date.now() - t0} ms`);
  const fw = await hook(page);
  const msgs = await page.locator('#misid-messages li').allTextContents();
  measure('gallery', `${fw.gallery.length} faces; messages: ${msgs.join(' | ')}`);
  const files1 = new Set(fw.gallery.map((g) => g.file));
  for (const f of ['pigo-sample.jpg', 'astronaut.png', 'faceapi-sample1.jpg', 'faceapi-sample3.jpg']) assert.ok(files1.has(f), `no face from ${f}`);
  assert.ok(msgs.some((m) => m.startsWith('broken.jpg') && /could not be read/.test(m)), 'no message for the broken image');
  assert.ok(msgs.some((m) => m.startsWith('notes.txt') && /not an image/.test(m)), 'no message for the text file');
  assert.ok(msgs.some((m) => m.startsWith('coins.png') && /no face/.test(m)), 'no message for the photo without a face');
  assert.ok(!files1.has('coins.png') && !files1.has('broken.jpg'));
  assert.equal(await page.locator('#misid-gallery li').count(), fw.gallery.length);
});

async function setThreshold(v) {
  await page.locator('#misid-threshold').evaluate((el, x) => { el.value = String(x); el.dispatchEvent(new Event('input', { bubbles: true })); }, v);
  await waitFor(page, (x) => window.facewatch.threshold === x && window.facewatch.topMatches.length > 0 && document.getElementById('misid-threshold-value').textContent === x.toFixed(2), v, { what: `threshold ${v}`, timeout: 10000 });
  // the report for this threshold
  await waitFor(page, (x) => window.facewatch.topMatches.every((m) => m.match === (m.distance < x)), v, { what: `report at ${v}`, timeout: 10000 });
  return hook(page);
}

test('the threshold slider turns a stranger into "you"', { timeout: 60000 }, async () => {
  // Mark the visitor's own photo as theirs.
  const own = (await hook(page)).gallery.find((g) => g.file === 'pigo-sample.jpg');
  await page.locator(`#misid-gallery li[data-id="${own.id}"] input[type=checkbox]`).check();
  await waitFor(page, (id) => window.facewatch.topMatches.some((m) => m.id === id && m.mine), own.id, { what: 'own photo marked', timeout: 10000 });

  let fw = await setThreshold(0.6);
  assert.equal(fw.topMatches[0].id, own.id, 'the nearest face is not the visitor\'s own photo');
  assert.ok(fw.topMatches[0].match, 'the visitor\'s own photo is not matched at 0.6');
  const stranger = fw.nearestStranger;
  assert.ok(stranger && stranger.id !== own.id);
  measure('distances', `own photo ${fw.topMatches[0].distance.toFixed(3)}, nearest stranger ${stranger.distance.toFixed(3)}`);

  const below = Math.floor(stranger.distance * 100) / 100 - 0.01;
  const above = Math.ceil(stranger.distance * 100) / 100 + 0.01;
  fw = await setThreshold(Math.max(0.3, below));
  const lowMatches = fw.topMatches.filter((m) => m.match).map((m) => m.id);
  assert.deepEqual(lowMatches.filter((id) => id !== own.id), [], 'a stranger matched below the nearest stranger\'s distance');
  assert.equal(fw.rates.falseMatches, 0);
  assert.equal(await page.locator('#misid-stranger.alarm').count(), 0);
  await screenshot(page, 'story-misid-low');

  fw = await setThreshold(Math.min(1, above));
  const highMatches = fw.topMatches.filter((m) => m.match).map((m) => m.id);
  assert.ok(highMatches.includes(stranger.id), 'the nearest stranger is not "you" above its distance');
  assert.ok(fw.rates.falseMatches >= 1 && fw.rates.fmr > 0);
  assert.equal(await page.locator('#misid-stranger.alarm').count(), 1);
  assert.ok(await page.locator(`#misid-top li.match[data-id="${stranger.id}"]`).count() === 1, 'the stranger is not shown as matched');
  await screenshot(page, 'story-misid-stranger');

  // Keyboard: End takes the slider to its top.
  await page.locator('#misid-threshold').focus();
  await page.keyboard.press('End');
  await waitFor(page, () => window.facewatch.threshold === 1, null, { what: 'threshold 1 by keyboard', timeout: 5000 });
  await page.keyboard.press('Home');
  await waitFor(page, () => window.facewatch.threshold === 0.3, null, { what: 'threshold 0.3 by keyboard', timeout: 5000 });
  await setThreshold(0.6);
});

test('the base-rate panel shows the Go-computed numbers for every preset', { timeout: 60000 }, async () => {
  for (const c of FIXTURE.cases) {
    await page.locator(`input[name="br-gallery"][value="${c.gallery}"]`).check();
    await page.locator(`input[name="br-rate"][value="${c.rate}"]`).check();
    const got = await waitFor(page, (w) => {
      const b = window.facewatch.baseRate;
      return b && b.gallery === w.gallery && b.rate === w.rate ? b : null;
    }, { gallery: c.gallery, rate: c.rate }, { what: `base rate ${c.gallery} × ${c.rate}`, timeout: 10000 });
    for (const k of ['gallerySize', 'falseMatchRate', 'expectedFalseCandidates', 'probAnyFalse', 'precision']) {
      const want = c.result[k], have = got.result[k];
      assert.ok(Math.abs(have - want) <= 1e-12 * Math.max(1, Math.abs(want)), `${c.gallery} × ${c.rate}: ${k} ${have}, fixture ${want}`);
    }
  }
  await page.locator('input[name="br-gallery"][value="korean"]').check();
  await page.locator('input[name="br-rate"][value="million"]').check();
  await waitFor(page, () => { const b = window.facewatch.baseRate; return b && b.gallery === 'korean' && b.rate === 'million'; }, null, { what: 'korean × million', timeout: 10000 });
  const shown = await page.locator('#br-false').textContent();
  measure('57.6 M at 1e-6', `${shown} innocent candidates per search; alert right ${await page.locator('#br-precision').textContent()}`);
  assert.ok(Math.abs(Number(shown) - 58) <= 1, `the page shows ${shown}`);
  const want = FIXTURE.cases.find((x) => x.gallery === 'korean' && x.rate === 'million').result.expectedFalseCandidates;
  assert.equal(Number(shown), Math.round(want));
  // The measured rate comes from this gallery (a stranger matched at 0.6?)
  const fw = await hook(page);
  const measured = page.locator('input[name="br-rate"][value="measured"]');
  assert.equal(await measured.isDisabled(), !(fw.rates && fw.rates.fmr > 0));
  await page.locator('#br-title').scrollIntoViewIfNeeded();
  await screenshot(page, 'story-baserate');
});

test('the data scene: the flow, the timeline and the visitor\'s own record, computed here', { timeout: 60000 }, async () => {
  await scene('data');
  assert.equal(await page.locator('#story-data').isVisible(), true);
  await waitFor(page, () => document.getElementById('flow-korean-n').textContent === '57.6 million', null, { what: 'the flow counter', timeout: 10000 });
  assert.equal(await page.locator('#flow-foreign-n').textContent(), '120 million');
  assert.equal(await page.locator('.tl li').count(), 10);
  assert.ok((await page.locator('.tl .tag').allTextContents()).includes('reported'));
  await page.locator('#data-record-btn').click();
  await waitFor(page, () => document.getElementById('data-numbers').textContent.split(' ').length === 128, null, { what: 'the 128 numbers', timeout: 30000 });
  assert.match(await page.locator('#data-sent').textContent(), /: 0 bytes/);
  await screenshot(page, 'story-data');
  await page.locator('#flow-title').scrollIntoViewIfNeeded();
  await screenshot(page, 'story-data-flow');
  await page.locator('#tl-title').scrollIntoViewIfNeeded();
  await screenshot(page, 'story-data-timeline');
});

/** visibleStoryText returns [key, text] of every visible data-i18n element of the story. */
function storyTexts() {
  return page.evaluate(() => {
    const roots = ['scene-misid', 'scene-data', 'story-misid', 'story-data', 'story-sources', 'tab-misid', 'tab-data'].map((id) => document.getElementById(id));
    const out = [];
    for (const r of roots) {
      const els = r.matches('[data-i18n]') ? [r] : [...r.querySelectorAll('[data-i18n]')];
      for (const el of els) out.push([el.dataset.i18n, el.textContent.trim()]);
    }
    return out;
  });
}

/** allText returns the visible text of the story areas (hidden parts included: they are shown in turn). */
function allText() {
  return page.evaluate(() => ['scene-misid', 'scene-data', 'story-misid', 'story-data', 'story-sources']
    .map((id) => document.getElementById(id).innerText || document.getElementById(id).textContent).join('\n'));
}

test('the language switch covers every string of both scenes', { timeout: 60000 }, async () => {
  const both = async (lang) => {
    await page.locator(`[data-lang="${lang}"]`).click();
    await waitFor(page, (l) => document.documentElement.lang === l, lang, { what: `lang ${lang}`, timeout: 5000 });
    await page.waitForTimeout(300);
    // Messages a control swaps for another as the visitor goes along.
    const swapped = { 'misid.enrol.button': 'misid.enrol.again' };
    for (const [key, text] of await storyTexts()) {
      const want = [MESSAGES[lang][key], MESSAGES[lang][swapped[key]]].filter(Boolean);
      assert.ok(want.includes(text), `${lang}: ${key} shows ${JSON.stringify(text)}, want ${JSON.stringify(want[0])}`);
    }
  };
  await both('ko');
  // No English message is left anywhere in the story areas (both scenes'
  // parts, including the generated ones: gallery, matches, sources).
  for (const s of ['misid', 'data']) {
    await scene(s);
    await page.waitForTimeout(300);
  }
  const ko = await page.evaluate(() => ['scene-misid', 'scene-data', 'story-misid', 'story-data', 'story-sources']
    .map((id) => document.getElementById(id).textContent).join('\n'));
  const leftovers = Object.entries(MESSAGES.en)
    .filter(([k, v]) => !k.startsWith('_') && !k.startsWith('sources.kind') && v !== MESSAGES.ko[k] && v.length > 12)
    .map(([k, v]) => [k, v.split('{')[0].trim()])
    .filter(([, v]) => v.length > 12 && ko.includes(v));
  assert.deepEqual(leftovers, [], 'English text left after switching to Korean');
  await scene('misid');
  await screenshot(page, 'story-misid-ko');
  await scene('data');
  await screenshot(page, 'story-data-ko');
  // Every figure shown in the static, cited parts is in the sources (ko).
  const okKo = allowed('ko');
  const factText = await page.evaluate(() => [...document.querySelectorAll('#story-data, #story-misid .facts, #story-misid .badge, #story-sources')]
    .map((el) => {
      const c = el.cloneNode(true);
      c.querySelectorAll('[data-axis]').forEach((a) => a.remove());
      const w = document.createTreeWalker(c, NodeFilter.SHOW_TEXT);
      const parts = [];
      while (w.nextNode()) parts.push(w.currentNode.nodeValue);
      return parts.join('\n');
    }).join('\n'));
  const bad = numbers(factText).filter((n) => !okKo.has(n));
  assert.deepEqual([...new Set(bad)], [], 'figures on the Korean page not in sources.json');
  await both('en');
});

/** dateText is what the page shows for a source's date in lang. */
const dateText = (s, lang) => s.date || s.dateNote[lang];

/** openParts opens the folded parts of the story, so that they can be read and photographed. */
function openParts() {
  return page.evaluate(() => document.querySelectorAll('#story-misid details, #story-data details, #story-sources details').forEach((d) => { d.open = true; }));
}

/**
 * shot photographs one part of the page, whole, into the screenshot
 * directory; the bar at the top stays where it is for the shot instead of
 * covering the part.
 */
async function shot(selector, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.evaluate(() => { document.querySelector('.top').style.position = 'static'; });
  const box = await page.evaluate((sel) => {
    const r = document.querySelector(sel).getBoundingClientRect();
    const x = Math.max(0, r.left - 8);
    return { x, y: Math.max(0, r.top + window.scrollY - 8), width: Math.min(document.documentElement.clientWidth - x, r.right + 8 - x), height: r.height + 16 };
  }, selector);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true, clip: box });
  await page.evaluate(() => { document.querySelector('.top').style.position = ''; });
}

test('every source shows its kind, publisher, date and title, in the Sources panel and under what it supports', { timeout: 60000 }, async () => {
  for (const lang of ['en', 'ko']) {
    await page.locator(`[data-lang="${lang}"]`).click();
    await waitFor(page, (l) => document.documentElement.lang === l, lang, { what: `lang ${lang}`, timeout: 5000 });
    await scene('data');
    await openParts();
    const listed = await page.evaluate(() => [...document.querySelectorAll('#sources-list li')].map((li) => ({
      id: li.dataset.source,
      kind: li.querySelector('.kind')?.textContent,
      by: li.querySelector('.src-by')?.textContent,
      date: li.querySelector('.src-date')?.textContent,
      href: li.querySelector('a')?.getAttribute('href') || '',
      text: li.textContent,
    })));
    assert.deepEqual(listed.map((l) => l.id), SOURCES.sources.map((s) => s.id), `${lang}: the Sources panel does not list every source in order`);
    for (const s of SOURCES.sources) {
      const l = listed.find((x) => x.id === s.id);
      assert.equal(l.kind, MESSAGES[lang][`sources.kind.${s.kind}`], `${lang} ${s.id}: kind label`);
      assert.equal(l.by, s.by[lang], `${lang} ${s.id}: publisher`);
      assert.equal(l.date, dateText(s, lang), `${lang} ${s.id}: date`);
      // The title in one pair of quotation marks: its own, when the
      // headline is a quotation, else the page's.
      const title = s.title[lang];
      const shown = /^["“'‘]/.test(title) ? title : `“${title}”`;
      assert.ok(l.text.includes(`, ${shown}`), `${lang} ${s.id}: title`);
      assert.ok(!/“["“]/.test(l.text), `${lang} ${s.id}: a quoted headline in a second pair of quotation marks: ${l.text}`);
      assert.equal(l.href, s.url, `${lang} ${s.id}: link`);
      if (s.linkNote) assert.ok(l.text.includes(s.linkNote[lang]), `${lang} ${s.id}: the reason for its link is not shown`);
    }
    // Under each cited item: every cited source with its publisher and date.
    for (const s of ['misid', 'data']) {
      await scene(s);
      await openParts();
      const cites = await page.evaluate(() => [...document.querySelectorAll('.src[data-src]')].filter((e) => e.closest('[hidden]') === null).map((e) => ({
        ids: e.dataset.src.split(/\s+/),
        by: [...e.querySelectorAll('.src-by')].map((x) => x.textContent),
        dates: [...e.querySelectorAll('.src-date')].map((x) => x.textContent),
      })));
      assert.ok(cites.length > 5, `${lang} ${s}: only ${cites.length} citations shown`);
      for (const c of cites) {
        const src = c.ids.map((id) => SOURCES.sources.find((x) => x.id === id));
        assert.deepEqual(c.by, src.map((x) => x.by[lang]), `${lang}: citation ${c.ids.join(' ')}: publishers`);
        assert.deepEqual(c.dates, src.map((x) => dateText(x, lang)), `${lang}: citation ${c.ids.join(' ')}: dates`);
      }
    }
    // The parts this issue changed, whole, at both widths.
    for (const [w, h] of [[1280, 800], [390, 844]]) {
      await page.setViewportSize({ width: w, height: h });
      await scene('misid');
      await openParts();
      await shot('#gaps-title-part', `story-gaps-${lang}-${w}`);
      await scene('data');
      await openParts();
      await page.waitForTimeout(200);
      await shot('#scene-data', `story-record-${lang}-${w}`);
      await shot('#tl-title-part', `story-timeline-${lang}-${w}`);
      await shot('#sides-title-part', `story-sides-${lang}-${w}`);
      await shot('#sources-part', `story-sources-${lang}-${w}`);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  }
  await page.locator('[data-lang="en"]').click();
  await waitFor(page, () => document.documentElement.lang === 'en', null, { what: 'lang en', timeout: 5000 });
});

test('phone width (390 px): both scenes fit without sideways scrolling', { timeout: 60000 }, async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  for (const s of ['misid', 'data']) {
    await scene(s);
    await page.waitForTimeout(400);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 390, `${s}: page is ${wide} px wide at 390`);
    await screenshot(page, `story-${s}-phone`);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
});

test('reduced motion: the flow shows its final state at once', { timeout: 30000 }, async () => {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await scene('data');
  await page.locator('#flow-replay').click();
  await page.waitForTimeout(100);
  assert.equal(await page.locator('#flow-korean-n').textContent(), '57.6 million');
  assert.equal(await page.locator('#flow.moving').count(), 0);
  await page.emulateMedia({ reducedMotion: 'no-preference' });
});

test('keyboard: the scene tabs move with the arrow keys', { timeout: 20000 }, async () => {
  await scene('misid');
  await page.locator('#tab-misid').focus();
  await page.keyboard.press('ArrowRight');
  await waitFor(page, () => window.facewatch.scene === 'data', null, { what: 'data by keyboard', timeout: 5000 });
  await page.keyboard.press('ArrowLeft');
  await waitFor(page, () => window.facewatch.scene === 'misid', null, { what: 'misid by keyboard', timeout: 5000 });
});

test('privacy: no image or embedding bytes leave the page', { timeout: 15000 }, async () => {
  await checkPrivacy(page, rec);
});

test('no console errors, page errors or unhandled rejections', { timeout: 10000 }, async () => {
  const r = await pageRecord(page);
  assert.deepEqual(r.rejections, [], 'unhandled rejections');
  assert.deepEqual(rec.errors, [], 'console/page errors');
  assert.deepEqual(r.errors.filter((e) => !/broken\.jpg/.test(e)), [], 'error events');
});
