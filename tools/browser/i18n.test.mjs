// The message files agree with each other and with the pages: no browser
// needed. The playground's pages use i18n/; the classroom pages
// (playground/classroom/) have their own classroom/i18n/, checked against
// the pages, their scripts and the server's protocol; the teacher's guide
// (playground/guide/) has guide/i18n/, checked at the end against its pages
// and against the sources every fact on it must come from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib.mjs';

const PG = path.join(ROOT, 'playground');
// The page merges i18n/<lang>.json with the story scenes' i18n/story.<lang>.json
// (js/i18n.js); a key may live in only one of them.
const FILES = ['', 'story.'];
const loadFile = (name) => JSON.parse(fs.readFileSync(path.join(PG, 'i18n', name + '.json'), 'utf8'));
const load = (lang) => Object.assign({}, ...FILES.map((f) => loadFile(f + lang)));

test('no key is defined in two message files', () => {
  for (const lang of ['en', 'ko']) {
    const seen = new Map();
    for (const f of FILES) {
      for (const k of Object.keys(loadFile(f + lang))) {
        if (k.startsWith('_')) continue;
        assert.ok(!seen.has(k), `${k} is in both ${seen.get(k)}${lang}.json and ${f}${lang}.json`);
        seen.set(k, f);
      }
    }
  }
});

function filesUnder(dir, ext) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p, ext));
    else if (e.name.endsWith(ext)) out.push(p);
  }
  return out;
}

const CR = path.join(PG, 'classroom');
const GD = path.join(PG, 'guide'); // the teacher's guide: its own i18n/, checked at the end

const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('en.json and ko.json have the same keys', () => {
  const en = Object.keys(load('en')).sort();
  const ko = Object.keys(load('ko')).sort();
  assert.deepEqual(en.filter((k) => !ko.includes(k)), [], 'keys in en.json missing from ko.json');
  assert.deepEqual(ko.filter((k) => !en.includes(k)), [], 'keys in ko.json missing from en.json');
});

test('no message is empty and placeholders match', () => {
  const en = load('en');
  const ko = load('ko');
  for (const [lang, m] of [['en', en], ['ko', ko]]) {
    for (const [k, v] of Object.entries(m)) {
      assert.equal(typeof v, 'string', `${lang}.json ${k} is not a string`);
      assert.ok(v.trim() !== '', `${lang}.json ${k} is empty`);
    }
  }
  for (const k of Object.keys(en)) {
    if (k.startsWith('_') || !(k in ko)) continue;
    assert.deepEqual(placeholders(ko[k]), placeholders(en[k]), `placeholders of ${k} differ`);
  }
});

test('the Korean file is Korean', () => {
  // A copied-over English value is the usual translation slip: most
  // messages with letters in them must contain Hangul.
  const ko = load('ko');
  const en = load('en');
  const worded = Object.keys(ko).filter((k) => !k.startsWith('_') && /[A-Za-z]{3}/.test(en[k] || ''));
  const hangul = worded.filter((k) => /[\uac00-\ud7a3]/.test(ko[k]));
  assert.ok(hangul.length >= 0.8 * worded.length,
    `only ${hangul.length} of ${worded.length} Korean messages contain Hangul; untranslated: ${worded.filter((k) => !hangul.includes(k)).slice(0, 10).join(', ')}`);
});

test('every data-i18n key used in the pages exists', () => {
  const en = load('en');
  const htmls = filesUnder(PG, '.html').filter((f) => !f.startsWith(CR + path.sep) && !f.startsWith(GD + path.sep));
  assert.ok(htmls.length > 0, 'no pages in playground/');
  let used = 0;
  for (const f of htmls) {
    const html = fs.readFileSync(f, 'utf8');
    for (const m of html.matchAll(/data-i18n="([^"]+)"/g)) {
      used++;
      assert.ok(m[1] in en, `${path.relative(ROOT, f)}: data-i18n="${m[1]}" is not in en.json`);
    }
    for (const m of html.matchAll(/data-i18n-attr="([^"]+)"/g)) {
      for (const pair of m[1].split(',')) {
        const key = pair.slice(pair.indexOf(':') + 1).trim();
        used++;
        assert.ok(key in en, `${path.relative(ROOT, f)}: data-i18n-attr key "${key}" is not in en.json`);
      }
    }
  }
  assert.ok(used > 0, 'the pages use no data-i18n keys: words would be hard-coded');
});

test('every literal t("key") in the scripts exists', () => {
  const en = load('en');
  const js = path.join(PG, 'js');
  if (!fs.existsSync(js)) return;
  for (const f of filesUnder(js, '.js')) {
    const src = fs.readFileSync(f, 'utf8');
    for (const m of src.matchAll(/\bt\(\s*(['"])([\w.-]+)\1/g)) {
      assert.ok(m[2] in en, `${path.relative(ROOT, f)}: t('${m[2]}') is not in en.json`);
    }
  }
});

test('no inline scripts or styles in the pages (the CSP blocks them)', () => {
  for (const f of filesUnder(PG, '.html')) {
    const html = fs.readFileSync(f, 'utf8');
    const rel = path.relative(ROOT, f);
    for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
      assert.match(m[1], /\bsrc=/, `${rel}: inline <script>`);
      assert.equal(m[2].trim(), '', `${rel}: <script src> with inline content`);
    }
    assert.doesNotMatch(html, /<style\b/i, `${rel}: inline <style>`);
    assert.doesNotMatch(html, /\sstyle="/i, `${rel}: style attribute`);
    assert.doesNotMatch(html, /\son[a-z]+="/i, `${rel}: inline event handler`);
  }
});

// ---------- the classroom pages (playground/classroom) ----------

const crLoad = (lang) => JSON.parse(fs.readFileSync(path.join(CR, 'i18n', lang + '.json'), 'utf8'));
const crSource = (ext) => filesUnder(CR, ext).map((f) => ({ rel: path.relative(ROOT, f), src: fs.readFileSync(f, 'utf8') }));
// Message keys the scripts build at run time, from a prefix and a list.
const listIn = (src, name) => {
  const m = src.match(new RegExp(`const ${name} = \\[([^\\]]*)\\]`));
  assert.ok(m, `no const ${name} = [...]`);
  return [...m[1].matchAll(/'([\w-]+)'/g)].map((x) => x[1]);
};
const goConsts = (prefix) => {
  const src = fs.readFileSync(path.join(ROOT, 'classroom', 'protocol.go'), 'utf8');
  return [...src.matchAll(new RegExp(`\\b${prefix}\\w*\\s*=\\s*"(\\w+)"`, 'g'))].map((m) => m[1]);
};

test('classroom: en.json and ko.json have the same keys, no empty message, same placeholders', () => {
  const en = crLoad('en'), ko = crLoad('ko');
  assert.deepEqual(Object.keys(en).filter((k) => !(k in ko)), [], 'keys missing from classroom/i18n/ko.json');
  assert.deepEqual(Object.keys(ko).filter((k) => !(k in en)), [], 'keys missing from classroom/i18n/en.json');
  for (const [lang, m] of [['en', en], ['ko', ko]]) {
    for (const [k, v] of Object.entries(m)) {
      assert.equal(typeof v, 'string', `${lang}.json ${k}`);
      assert.ok(v.trim() !== '', `classroom ${lang}.json ${k} is empty`);
      if (!k.startsWith('_')) assert.deepEqual(placeholders(v), placeholders(en[k]), `placeholders of ${k} differ`);
    }
  }
});

test('classroom: the Korean file is Korean', () => {
  const en = crLoad('en'), ko = crLoad('ko');
  const worded = Object.keys(ko).filter((k) => !k.startsWith('_') && /[A-Za-z]{3}/.test(en[k] || ''));
  const missing = worded.filter((k) => !/[\uac00-\ud7a3]/.test(ko[k]));
  assert.ok(worded.length > 100, `only ${worded.length} worded messages`);
  assert.deepEqual(missing, [], 'classroom messages without Hangul');
});

test('classroom: every key the pages and scripts use exists, and every key is used', () => {
  const en = crLoad('en');
  const used = new Set();
  const html = crSource('.html');
  const js = crSource('.js');
  assert.deepEqual(html.map((f) => path.basename(f.rel)).sort(), ['gate.html', 'join.html', 'teach.html']);
  for (const { rel, src } of html) {
    const keys = [...src.matchAll(/data-i18n="([^"]+)"/g)].map((m) => m[1]);
    for (const m of src.matchAll(/data-i18n-attr="([^"]+)"/g)) keys.push(...m[1].split(',').map((p) => p.slice(p.indexOf(':') + 1).trim()));
    assert.ok(keys.length > 20, `${rel} names only ${keys.length} messages: words would be hard-coded`);
    for (const k of keys) { assert.ok(k in en, `${rel}: "${k}" is not in classroom/i18n/en.json`); used.add(k); }
    // Words outside data-i18n: text between tags that is not a command,
    // a language name or punctuation.
    const body = src.slice(src.indexOf('<body'));
    for (const m of body.matchAll(/<([a-z0-9]+)([^>]*)>([^<]*[A-Za-z]{3}[^<]*)</g)) {
      const [, tag, attrs, text] = m;
      if (/data-i18n=/.test(attrs) || tag === 'code' || /\blang="/.test(attrs) || ['strong'].includes(tag)) continue;
      assert.fail(`${rel}: <${tag}> has words without data-i18n: "${text.trim()}"`);
    }
  }
  const literal = /['"`]((?:teach|join|gate|scene|status|error|lang|brand)\.[\w.]+)['"`]/g;
  for (const { rel, src } of js) {
    for (const m of src.matchAll(literal)) {
      if (m[1].endsWith('.')) continue;
      assert.ok(m[1] in en, `${rel}: '${m[1]}' is not in classroom/i18n/en.json`);
      used.add(m[1]);
    }
  }
  const all = js.map((f) => f.src).join('\n');
  const teach = js.find((f) => f.rel.endsWith('teach.js')).src;
  const join = js.find((f) => f.rel.endsWith('join.js')).src;
  const common = js.find((f) => f.rel.endsWith('common.js')).src;
  const gate = js.find((f) => f.rel.endsWith('gate.js')).src;
  // Built keys: each must exist for every value the scripts can meet.
  const scenes = listIn(common, 'SCENES');
  assert.deepEqual(scenes, goConsts('Scene'), 'common.js SCENES differ from the server\'s scenes (classroom/protocol.go)');
  const built = [
    ...scenes.flatMap((x) => [`scene.${x}`, `join.scene.${x}`]),
    ...['idle', 'connecting', 'open', 'retrying', 'closed', 'unreachable'].map((x) => `status.${x}`),
    ...listIn(teach, 'ERRORS').map((x) => `error.${x}`),
    ...listIn(join, 'ERRORS').map((x) => `error.${x}`),
    ...listIn(common, 'OVER').map((x) => `join.over.${x}`),
    ...['idle', 'shutdown', 'replaced'].map((x) => `teach.over.${x}`),
    ...listIn(gate, 'ERRORS').map((x) => `error.${x}`),
    ...listIn(common, 'OVER').map((x) => `gate.over.${x}`),
    ...['A', 'B', 'C'].flatMap((x) => [`gate.name.${x}`, `gate.short.${x}`]),
    ...['insecure', 'missing'].map((x) => `gate.blocked.${x}`),
  ];
  for (const k of built) { assert.ok(k in en, `built key ${k} is not in classroom/i18n/en.json`); used.add(k); }
  for (const s of ['connecting', 'open', 'retrying', 'closed', 'unreachable']) assert.ok(all.includes(`'${s}'`), `common.js no longer reports status '${s}'`);
  // Every error code and ending the server sends has its own words.
  for (const code of goConsts('ErrCode')) assert.ok(`error.${code}` in en, `server error code ${code} has no error.${code}`);
  for (const r of goConsts('Ended')) assert.ok(listIn(common, 'OVER').includes(r), `server ending "${r}" is missing from common.js OVER`);
  const unused = Object.keys(en).filter((k) => !k.startsWith('_') && !used.has(k));
  assert.deepEqual(unused, [], 'messages no page or script uses');
});

// ---------- the teacher's guide (playground/guide) ----------

const gdLoad = (lang) => JSON.parse(fs.readFileSync(path.join(GD, 'i18n', lang + '.json'), 'utf8'));
const gdSource = (ext) => filesUnder(GD, ext).map((f) => ({ rel: path.relative(ROOT, f), src: fs.readFileSync(f, 'utf8') }));
const SOURCES = JSON.parse(fs.readFileSync(path.join(PG, 'i18n', 'sources.json'), 'utf8')).sources;

test('guide: en.json and ko.json have the same keys, no empty message, same placeholders', () => {
  const en = gdLoad('en'), ko = gdLoad('ko');
  assert.deepEqual(Object.keys(en).filter((k) => !(k in ko)), [], 'keys missing from guide/i18n/ko.json');
  assert.deepEqual(Object.keys(ko).filter((k) => !(k in en)), [], 'keys missing from guide/i18n/en.json');
  for (const [lang, m] of [['en', en], ['ko', ko]]) {
    for (const [k, v] of Object.entries(m)) {
      assert.equal(typeof v, 'string', `guide ${lang}.json ${k}`);
      assert.ok(v.trim() !== '', `guide ${lang}.json ${k} is empty`);
      if (!k.startsWith('_')) assert.deepEqual(placeholders(v), placeholders(en[k]), `placeholders of ${k} differ`);
    }
  }
});

test('guide: the Korean file is Korean', () => {
  const en = gdLoad('en'), ko = gdLoad('ko');
  const worded = Object.keys(ko).filter((k) => !k.startsWith('_') && /[A-Za-z]{3}/.test(en[k] || ''));
  assert.ok(worded.length > 150, `only ${worded.length} worded messages`);
  assert.deepEqual(worded.filter((k) => !/[\uac00-\ud7a3]/.test(ko[k])), [], 'guide messages without Hangul');
});

test('guide: every key the pages and scripts use exists, every key is used, no hard-coded words', () => {
  const en = gdLoad('en');
  const used = new Set();
  const html = gdSource('.html');
  assert.deepEqual(html.map((f) => path.basename(f.rel)).sort(), ['handout.html', 'index.html']);
  for (const { rel, src } of html) {
    const keys = [...src.matchAll(/data-i18n="([^"]+)"/g)].map((m) => m[1]);
    for (const m of src.matchAll(/data-i18n-attr="([^"]+)"/g)) keys.push(...m[1].split(',').map((p) => p.slice(p.indexOf(':') + 1).trim()));
    assert.ok(keys.length > 20, `${rel} names only ${keys.length} messages`);
    for (const k of keys) { assert.ok(k in en, `${rel}: "${k}" is not in guide/i18n/en.json`); used.add(k); }
    // The pages hold no words of their own: every text is a message.
    const body = src.slice(src.indexOf('<body'));
    for (const m of body.matchAll(/<([a-z0-9]+)([^>]*)>([^<]*[A-Za-z\uac00-\ud7a3]{2}[^<]*)</g)) {
      const [, tag, attrs, text] = m;
      if (/\blang="/.test(attrs) || (tag === 'strong' && text.trim() === 'facewatch')) continue;
      assert.fail(`${rel}: <${tag}> has words without data-i18n: "${text.trim()}"`);
    }
  }
  // Keys the guide builds from its scenes (guide.js renderPlan).
  const index = html.find((f) => f.rel.endsWith('index.html')).src;
  const scenes = [...index.matchAll(/data-scene="(\w+)"/g)].map((m) => m[1]);
  assert.ok(scenes.length >= 10, `only ${scenes.length} scenes`);
  for (const sc of scenes) for (const part of ['time', 'title', 'where', 'aim']) {
    assert.ok(`s.${sc}.${part}` in en, `scene ${sc} has no s.${sc}.${part}`);
    used.add(`s.${sc}.${part}`);
  }
  for (const { rel, src } of gdSource('.js')) {
    for (const m of src.matchAll(/\bt\(\s*(['"])([\w.-]+)\1/g)) {
      assert.ok(m[2] in en, `${rel}: t('${m[2]}') is not in guide/i18n/en.json`);
      used.add(m[2]);
    }
  }
  assert.deepEqual(Object.keys(en).filter((k) => !k.startsWith('_') && !used.has(k)), [], 'guide messages no page or script uses');
});

// numbers returns the numeric tokens of a text, leading zeros dropped (as
// story.test.mjs counts them).
const numbers = (text) => [...String(text).matchAll(/\d+(?:[.,]\d+)*/g)].map((m) => m[0].replace(/^0+(?=\d)/, ''));

// The guide's own figures that are not facts about the case: what the
// classroom and the pipeline do, as docs/classroom.md and the README state
// them. Each with where it comes from.
const GUIDE_OWN = {
  128: 'the embedding has 128 numbers (README, docs/classroom.md)',
  150: 'the face chip is 150 × 150 (README)',
  '0.6': "dlib's threshold (README; source face-api)",
  60: 'a room ends after 60 minutes without a message (docs/classroom.md)',
  10: 'a room ends when the teacher stays away for 10 minutes (docs/classroom.md)',
  8: 'a room lasts 8 hours at most; a join code has 8 symbols (docs/classroom.md)',
  1: 'a dropped student is kept for one minute (docs/classroom.md)',
  0: 'join codes have no 0 or 1 (docs/classroom.md)',
  45: 'the length of the lesson',
};

function guideAllowed(lang) {
  const set = new Set(Object.keys(GUIDE_OWN));
  for (const s of SOURCES) {
    for (const f of s.figures[lang]) for (const n of numbers(f)) set.add(n);
    for (const n of numbers(s.title[lang])) set.add(n);
    for (const n of numbers(s.date)) set.add(n);
  }
  // The fact sheet's base-rate arithmetic: N × f at f = 1 in a million.
  for (const n of [57600000, 177600000]) set.add(String(Math.round(n * 1e-6)));
  return set;
}

test('guide: every figure is listed by a source (lesson minutes aside)', () => {
  for (const lang of ['en', 'ko']) {
    const ok = guideAllowed(lang);
    const bad = [];
    for (const [k, v] of Object.entries(gdLoad(lang))) {
      if (k.startsWith('_') || k.endsWith('.time')) continue;
      for (const n of numbers(v)) if (!ok.has(n)) bad.push(`${k}: ${n}`);
    }
    assert.deepEqual(bad, [], `guide ${lang}.json: figures in no source`);
  }
  // The check is not vacuous: an invented figure fails it.
  const ok = guideAllowed('en');
  for (const invented of ['57.7', '171', '2,000,000', '2023-01-01']) assert.ok(numbers(invented).some((n) => !ok.has(n)), `${invented} passes`);
  for (const real of ['57.6', '120', '320', '1,000,000', '2026']) assert.ok(ok.has(real), `${real} is not allowed`);
});

test('guide: every citation names a known source, and the case facts are cited', () => {
  const ids = new Set(SOURCES.map((s) => s.id));
  const index = fs.readFileSync(path.join(GD, 'index.html'), 'utf8');
  const cites = [...index.matchAll(/data-src="([^"]+)"/g)].flatMap((m) => m[1].split(/\s+/));
  assert.ok(cites.length > 30, `only ${cites.length} citations`);
  for (const id of cites) assert.ok(ids.has(id), `guide/index.html cites unknown source ${id}`);
  // Each case item, each side's position and every line naming a figure of
  // the case carries data-src.
  for (const m of index.matchAll(/<(li|p)([^>]*)><span[^>]*data-i18n="((?:case\.\d+)|(?:q\.\w+\.p))"/g)) {
    assert.match(m[2], /data-src="/, `${m[3]} has no source`);
  }
  const en = gdLoad('en');
  for (const m of index.matchAll(/<(li|p)([^>]*)>(?:<strong[^>]*><\/strong> )?<span data-i18n="([^"]+)"><\/span>/g)) {
    const text = en[m[3]] || '';
    if (/\.(where|title)$/.test(m[3])) continue; // names of scenes and screens
    if (/million|KRW|\b20[12]\d\b/.test(text)) assert.match(m[2], /data-src="/, `${m[3]} states a figure of the case without a source: ${text.slice(0, 60)}`);
  }
});
