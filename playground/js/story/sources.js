// sources.js — the story scenes' sources and figures (i18n/sources.json):
// renders "Source: …" links under every cited item and the Sources panel.
import { fetchBytes } from '../net.js';
import { t, currentLang } from '../i18n.js';

let data = null;

/** load fetches sources.json once. */
export async function loadSources() {
  if (!data) data = JSON.parse(new TextDecoder().decode(await fetchBytes('i18n/sources.json')));
  return data;
}

export function sources() { return data; }

function byId(id) { return data && data.sources.find((s) => s.id === id); }

function span(cls, text) {
  const e = document.createElement('span');
  e.className = cls;
  e.textContent = text;
  return e;
}

/** dateOf is a source's date, or what it has instead (a law's current text, our own numbers). */
export function dateOf(s, lang) { return s.date || (s.dateNote && s.dateNote[lang]) || ''; }

/**
 * label returns the publisher, the quoted title and the date of a source. A
 * headline that is itself a quotation (it starts with a quotation mark)
 * keeps its own marks instead of a second pair.
 */
function label(s) {
  const l = currentLang();
  const title = s.title[l];
  const quoted = /^["“'‘]/.test(title) ? title : `“${title}”`;
  const parts = [span('src-by', s.by[l]), `, ${quoted}`];
  const d = dateOf(s, l);
  if (d) parts.push(', ', span('src-date', d));
  return parts;
}

/**
 * sourceNode renders a source: its link, and why it has none in its own
 * words (our own numbers share the general reason). Why a link is unusual
 * (an http address) is said in the Sources panel (inList), not under every
 * fact it supports.
 */
function sourceNode(s, inList = false) {
  const l = currentLang();
  let note = '';
  if (!s.url) note = s.linkNote ? s.linkNote[l] : t('sources.noLink');
  else if (inList && s.linkNote) note = s.linkNote[l];
  let main;
  if (s.url) {
    main = document.createElement('a');
    main.href = s.url;
    main.rel = 'noreferrer noopener';
    main.target = '_blank';
  } else {
    main = document.createElement('span');
  }
  main.append(...label(s));
  const out = document.createElement('span');
  out.className = 'source';
  out.append(main);
  if (note) out.append(' ', span('src-why', `(${note})`));
  return out;
}

/** renderCitations fills every .src[data-src] element under root. */
export function renderCitations(root) {
  if (!data) return;
  for (const el of root.querySelectorAll('.src[data-src]')) {
    const ids = el.dataset.src.split(/\s+/).filter(Boolean);
    const nodes = [document.createTextNode(t('sources.label') + ' ')];
    ids.forEach((id, i) => {
      const s = byId(id);
      if (!s) throw new Error(`story: unknown source ${id}`);
      if (i) nodes.push(document.createTextNode('; '));
      nodes.push(sourceNode(s));
    });
    el.replaceChildren(...nodes);
  }
}

/** renderList fills the Sources panel with every source. */
export function renderList(ol) {
  if (!data) return;
  ol.replaceChildren(...data.sources.map((s) => {
    const li = document.createElement('li');
    li.dataset.source = s.id;
    const kind = document.createElement('span');
    kind.className = 'kind';
    kind.textContent = t(`sources.kind.${s.kind}`);
    li.append(kind, ' ', sourceNode(s, true));
    return li;
  }));
}
