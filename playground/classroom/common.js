// common.js — the classroom websocket client shared by the teacher and
// join pages: versioned messages, automatic resume after a dropped
// connection, and the read-only state object tests read.
import { request, openSocket } from '../js/net.js';
import { setLang, initialLang, currentLang, wireLangButtons, t } from './i18n.js';

export const VERSION = 1;

export const $ = (id) => document.getElementById(id);

// WS_PATH is the classroom endpoint on this page's own origin (the only one
// the server and the CSP's connect-src allow). The socket comes from
// net.js, so the page's sent-bytes counter counts every message.
export const WS_PATH = '/classroom/ws';

// freeze returns a deep-frozen copy, for the read-only test state.
export function frozenCopy(o) {
  if (o === null || typeof o !== 'object') return o;
  const c = Array.isArray(o) ? o.map(frozenCopy) : Object.fromEntries(Object.entries(o).map(([k, v]) => [k, frozenCopy(v)]));
  return Object.freeze(c);
}

// publish installs a read-only view of state as window[name]: reads go to
// the current state, writes throw in strict mode and change nothing.
export function publish(name, get) {
  Object.defineProperty(window, name, { get: () => frozenCopy(get()), configurable: false, enumerable: true });
}

// Client keeps one websocket to the classroom. open(first) connects and
// sends first (create, join or resume) once the socket is open; onMessage
// gets every server message; onStatus gets 'connecting', 'open',
// 'retrying', 'closed' or 'unreachable' (the socket never opened: no
// classroom server here).
export class Client {
  constructor({ storageKey, onMessage, onStatus }) {
    this.storageKey = storageKey;
    this.onMessage = onMessage;
    this.onStatus = onStatus || (() => {});
    this.ws = null;
    this.ended = false;
    this.retryUntil = 0;
    this.retryTimer = 0;
  }

  get token() { return sessionStorage.getItem(this.storageKey); }
  set token(t) {
    if (t) sessionStorage.setItem(this.storageKey, t);
    else sessionStorage.removeItem(this.storageKey);
  }

  open(first) {
    clearTimeout(this.retryTimer);
    if (this.ws) { const old = this.ws; this.ws = null; old.close(); }
    const sock = openSocket(WS_PATH);
    const ws = sock.ws;
    this.ws = ws;
    this.sock = sock;
    this.onStatus('connecting');
    let opened = false;
    ws.onopen = () => { opened = true; this.onStatus('open'); sock.send(JSON.stringify({ v: VERSION, ...first })); };
    ws.onmessage = (ev) => {
      let m;
      try { m = JSON.parse(ev.data); } catch (_) { return; }
      if (!m || m.v !== VERSION) return;
      if (m.type === 'welcome') { this.token = m.token; this.retryUntil = 0; }
      if (m.type === 'ended') { this.ended = true; this.token = null; }
      if (m.type === 'error' && m.code === 'join_failed' && first.type === 'resume') this.token = null;
      this.onMessage(m);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      // A dropped connection (not an ending) resumes within the server's
      // window, without asking again.
      if (!this.ended && this.token) {
        if (!this.retryUntil) this.retryUntil = Date.now() + 55000;
        if (Date.now() < this.retryUntil) {
          this.onStatus('retrying');
          this.retryTimer = setTimeout(() => this.open({ type: 'resume', token: this.token }), 1500);
          return;
        }
      }
      // Never connected at all: no classroom server at this address.
      this.onStatus(opened ? 'closed' : 'unreachable');
    };
  }

  send(m) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.sock.send(JSON.stringify({ v: VERSION, ...m }));
    return true;
  }

  close() {
    this.ended = true;
    if (this.ws) this.ws.close();
  }
}

// SCENES are the classroom's scenes in teaching order (classroom.Scenes on
// the server); their titles are the messages scene.<name> (i18n/).
export const SCENES = ['lobby', 'share', 'matrix', 'pairs', 'threshold', 'gates', 'scale', 'discuss'];

// OVER are the reasons a session ends that the pages have words for
// (<page>.over.<reason>); any other reads as 'left'.
const OVER = ['ended', 'removed', 'idle', 'shutdown', 'replaced', 'slow', 'left'];
export const overKey = (page, reason) => `${page}.over.${OVER.includes(reason) ? reason : 'left'}`;

/**
 * deviceClient makes the socket client of a page that joins a room — a
 * student's (join.js) or a gate's (gate.js). The connection's status goes
 * into state.status and state.connected and is shown in #status; a server
 * that cannot be reached before the page has joined shows #offline instead
 * of #join. It returns the client and the views the two pages share.
 */
export function deviceClient(state, storageKey, onMessage) {
  const view = {
    showStatus() { $('status').textContent = t(`status.${state.status}`); },
    showOffline() {
      state.offline = true;
      $('offline').hidden = false;
      $('join').hidden = true;
    },
    // showJoined swaps the join form, and any offline or error note, for
    // the class view.
    showJoined() {
      $('join').hidden = true;
      $('offline').hidden = true;
      $('error').hidden = true;
      $('in-class').hidden = false;
    },
  };
  const client = new Client({
    storageKey,
    onMessage,
    onStatus: (s) => {
      state.status = s;
      state.connected = s === 'open';
      view.showStatus();
      if (s === 'unreachable' && !state.id) view.showOffline();
    },
  });
  return { client, ...view };
}

// openFrontCamera asks for the device's front camera at 640x480, as the
// student's and the gate's pages do (cameraFailure says why it failed).
export function openFrontCamera() {
  return navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: 'user' }, audio: false });
}

// probeServer reports whether this origin runs the classroom server. The
// classroom answers /join with a redirect to the join page; a server
// without the classroom, or any static host, has no such path (404). A HEAD
// request: nothing is sent but the request line and headers.
export async function probeServer() {
  try {
    const r = await request('/join', { method: 'HEAD', redirect: 'manual', cache: 'no-store' });
    return r.type === 'opaqueredirect' || r.ok;
  } catch (_) {
    return false;
  }
}

/**
 * startPage runs a classroom page's start-up, the same on the teacher's,
 * the student's and the gate's page: the language buttons, the page's own
 * setup(), its words, then — a reload within the resume window — back into
 * the same room, or else offline() when this origin runs no classroom
 * server. state.lang is kept current.
 */
export async function startPage({ client, state, setup, offline }) {
  wireLangButtons();
  setup();
  await setLang(initialLang());
  state.lang = currentLang();
  if (client.token) { client.open({ type: 'resume', token: client.token }); return; }
  if (!(await probeServer())) offline();
}
