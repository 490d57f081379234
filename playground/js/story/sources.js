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

function label(s) {
  const l = currentLang();
  const parts = [s.by[l], `“${s.title[l]}”`];
  if (s.date) parts.push(s.date);
  return parts.join(', ');
}

function sourceNode(s) {
  if (!s.url) {
    const span = document.createElement('span');
    span.textContent = `${label(s)} (${t('sources.noLink')})`;
    return span;
  }
  const a = document.createElement('a');
  a.href = s.url;
  a.rel = 'noreferrer noopener';
  a.target = '_blank';
  a.textContent = label(s);
  return a;
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
    li.append(kind, ' ', sourceNode(s));
    return li;
  }));
}
