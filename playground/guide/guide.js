// guide.js — the teacher's guide: fills the words (i18n/<lang>.json, with
// the classroom pages' loader), builds the timetable from the scenes, and
// numbers the citations against the playground's source list
// (../i18n/sources.json), which it prints at the end. Nothing is sent
// anywhere; the page only reads its own files.
import { fetchBytes } from '../js/net.js';
import { t, setLang, initialLang, onLang, currentLang, wireLangButtons } from '../classroom/i18n.js';

const state = { ready: false, lang: 'en', cited: [], unknown: [], missing: [] };
Object.defineProperty(window, 'facewatchGuide', { get: () => Object.freeze({ ...state, cited: [...state.cited], unknown: [...state.unknown], missing: [...state.missing] }) });

let sources = new Map();

async function loadSources() {
  const j = JSON.parse(new TextDecoder().decode(await fetchBytes('../i18n/sources.json')));
  sources = new Map(j.sources.map((s) => [s.id, s]));
}

const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

// The timetable is the scenes' own time, title, screen and aim, so the two
// can never disagree.
function renderPlan() {
  const rows = [];
  for (const a of document.querySelectorAll('article.scene')) {
    const sc = a.dataset.scene;
    const tr = el('tr');
    const time = el('td', 'num', `${t(`s.${sc}.time`)}`);
    const title = el('td');
    const link = el('a', '', t(`s.${sc}.title`));
    link.href = `#${a.id}`;
    title.append(link);
    tr.append(time, title, el('td', '', t(`s.${sc}.where`)), el('td', '', t(`s.${sc}.aim`)));
    rows.push(tr);
  }
  document.getElementById('plan-rows').replaceChildren(...rows);
}

// Citations: every element with data-src gets "[n]" links to the source
// list, numbered in order of first citation.
function renderCitations() {
  const order = [];
  const unknown = [];
  for (const e of document.querySelectorAll('[data-src]')) {
    e.querySelectorAll(':scope > .cite').forEach((c) => c.remove());
    const ids = e.dataset.src.split(/\s+/).filter(Boolean);
    const cite = el('span', 'cite');
    cite.setAttribute('aria-label', t('src.label'));
    for (const id of ids) {
      if (!sources.has(id)) { unknown.push(id); continue; }
      if (!order.includes(id)) order.push(id);
      const a = el('a', '', `[${order.indexOf(id) + 1}]`);
      a.href = `#src-${id}`;
      cite.append(' ', a);
    }
    e.append(cite);
  }
  state.cited = order;
  state.unknown = unknown;
  const lang = currentLang();
  const items = order.map((id, i) => {
    const s = sources.get(id);
    const li = el('li');
    li.id = `src-${id}`;
    li.value = i + 1;
    li.append(el('span', 'by', s.by[lang] || s.by.en), '. ');
    li.append(el('cite', '', s.title[lang] || s.title.en));
    const date = s.date || (s.dateNote && (s.dateNote[lang] || s.dateNote.en));
    if (date) li.append(` (${date})`);
    li.append('. ');
    if (s.url) {
      const a = el('a', 'url', s.url);
      a.href = s.url;
      a.rel = 'noopener noreferrer';
      li.append(a);
    }
    // Why a source has no link, or an unusual one, in its own words; our
    // own numbers share the general reason.
    const why = s.linkNote ? (s.linkNote[lang] || s.linkNote.en) : (s.url ? '' : t('src.noLink'));
    if (why) li.append(s.url ? ' ' : '', el('span', 'note', s.url ? `(${why})` : why));
    return li;
  });
  document.getElementById('source-list').replaceChildren(...items);
}

// labelCells gives each data cell its column's heading, shown before it
// when a phone stacks the table's rows.
function labelCells() {
  for (const table of document.querySelectorAll('table.data')) {
    const heads = [...table.querySelectorAll('thead th')].map((th) => th.textContent);
    for (const tr of table.querySelectorAll('tbody tr')) {
      [...tr.children].forEach((cell, i) => { if (cell.tagName === 'TD') cell.dataset.label = heads[i] || ''; });
    }
  }
}

// missingKeys lists the message keys the page names but the language lacks
// (t() returns the key itself), for the tests and for anyone editing.
function missingKeys() {
  const out = [];
  for (const e of document.querySelectorAll('[data-i18n]')) if (t(e.dataset.i18n) === e.dataset.i18n) out.push(e.dataset.i18n);
  return out;
}

async function boot() {
  wireLangButtons();
  document.getElementById('print').addEventListener('click', () => window.print());
  onLang((l) => {
    state.lang = l;
    document.title = t('title');
    renderPlan();
    renderCitations();
    labelCells();
    state.missing = missingKeys();
  });
  await loadSources();
  await setLang(initialLang());
  state.ready = true;
}

boot().catch((e) => {
  state.error = String(e && e.message || e);
  console.error('guide:', e);
});
