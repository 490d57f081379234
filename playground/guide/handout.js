// handout.js — the students' one-page handout: the class's join address,
// its code and a QR code drawn here (qr.js), with short instructions.
// The teacher page links here with the join address in the fragment
// (#<encoded join URL>), which browsers never send to a server; without one,
// the teacher types the code and the address is this site's join page.
import { t, setLang, initialLang, onLang, wireLangButtons } from '../classroom/i18n.js';
import { encode, toPath } from './qr.js';

// The classroom's join codes (classroom/code.go): 8 symbols of this
// alphabet, shown as XXXX-XXXX.
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
const JOIN_PATH = '/classroom/join.html';

const state = { ready: false, joinURL: '', code: '', qr: null, error: null };
Object.defineProperty(window, 'facewatchHandout', { get: () => Object.freeze({ ...state }) });

const $ = (id) => document.getElementById(id);

/** normCode returns the code as XXXX-XXXX, or '' when it is not a join code. */
export function normCode(s) {
  const c = String(s).toUpperCase().replace(/[\s-]/g, '');
  if (c.length !== 8 || [...c].some((ch) => !ALPHABET.includes(ch))) return '';
  return `${c.slice(0, 4)}-${c.slice(4)}`;
}

/**
 * parseJoinURL accepts only a classroom join address: http(s), no user
 * name, password or query, a path ending in the join page's (a -public-url
 * may add a prefix) and a join code as the fragment.
 * Anything else gives null, so a crafted link cannot print another
 * site's QR code under the class's name.
 */
export function parseJoinURL(s) {
  let u;
  try { u = new URL(s); } catch (_) { return null; }
  if (!['http:', 'https:'].includes(u.protocol) || u.username || u.password || u.search) return null;
  if (!u.pathname.endsWith(JOIN_PATH)) return null;
  let code = '';
  try { code = normCode(decodeURIComponent(u.hash.slice(1))); } catch (_) { return null; }
  if (!code) return null;
  return { url: `${u.origin}${u.pathname}#${code}`, code };
}

function show(join) {
  state.joinURL = join.url;
  state.code = join.code;
  const q = encode(join.url);
  state.qr = { version: q.version, size: q.size };
  const n = q.size + 8;
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', `0 0 ${n} ${n}`);
  svg.setAttribute('shape-rendering', 'crispEdges');
  svg.setAttribute('aria-hidden', 'true');
  const bg = document.createElementNS(svg.namespaceURI, 'rect');
  bg.setAttribute('width', n); bg.setAttribute('height', n); bg.setAttribute('fill', '#fff');
  const path = document.createElementNS(svg.namespaceURI, 'path');
  path.setAttribute('d', toPath(q, 4));
  path.setAttribute('fill', '#000');
  svg.append(bg, path);
  $('qr').replaceChildren(svg);
  $('url').textContent = join.url;
  $('code').textContent = join.code;
  $('nocode').hidden = true;
  $('sheet').hidden = false;
  $('print').disabled = false;
}

function askForCode(badLink) {
  $('badlink').hidden = !badLink;
  $('nocode').hidden = false;
  $('sheet').hidden = true;
  $('print').disabled = true;
  $('code-input').focus();
}

function fromFragment() {
  const raw = location.hash.replace(/^#/, '');
  if (!raw) return { join: null, bad: false };
  let s;
  try { s = decodeURIComponent(raw); } catch (_) { return { join: null, bad: true }; }
  const join = parseJoinURL(s);
  return { join, bad: !join };
}

function make() {
  const code = normCode($('code-input').value);
  $('code-error').hidden = !!code;
  if (!code) { state.error = 'bad_code'; $('code-input').focus(); return; }
  state.error = null;
  show({ url: `${location.origin}${JOIN_PATH}#${code}`, code });
}

async function boot() {
  wireLangButtons();
  $('print').addEventListener('click', () => window.print());
  $('make').addEventListener('click', make);
  $('code-input').addEventListener('keydown', (e) => { if (e.key === 'Enter') make(); });
  onLang(() => { document.title = t('h.title'); });
  await setLang(initialLang());
  const { join, bad } = fromFragment();
  if (join) show(join);
  else { state.error = bad ? 'bad_link' : null; askForCode(bad); }
  state.ready = true;
}

boot().catch((e) => { state.error = String(e && e.message || e); console.error('handout:', e); });
