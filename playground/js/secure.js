// secure.js — why a page cannot have the camera, asked before anything is
// downloaded or requested. Browsers give the camera only to secure pages:
// https://, or http://localhost and http://127.0.0.1 on the computer
// itself. A phone opening http://192.168.1.20:8080/ gets no
// navigator.mediaDevices at all, which is not the same as having no
// camera, and the page should say which it is.
'use strict';

// cameraBlocker returns '' when the page may ask for the camera, or why it
// may not: 'insecure' (not a secure context: plain http on a network
// address) or 'missing' (a secure page in a browser or device without
// camera access).
export function cameraBlocker(win = globalThis) {
  if (!win.isSecureContext) return 'insecure';
  const md = win.navigator && win.navigator.mediaDevices;
  if (!md || typeof md.getUserMedia !== 'function') return 'missing';
  return '';
}

// hasVideoInput reports whether the browser lists a camera (without asking
// for it; labels stay hidden until permission). Resolves to true when it
// cannot tell, so the browser's own prompt decides.
export async function hasVideoInput(win = globalThis) {
  const md = win.navigator && win.navigator.mediaDevices;
  if (!md || typeof md.enumerateDevices !== 'function') return true;
  try {
    const list = await md.enumerateDevices();
    return list.some((d) => d.kind === 'videoinput');
  } catch (_) {
    return true;
  }
}

// cameraFailure says why getUserMedia refused: 'denied' (the visitor or
// the browser's policy said no), 'nocamera' (no camera, or none that
// meets the request) or 'camera' (any other failure).
export function cameraFailure(e) {
  if (e && (e.name === 'NotAllowedError' || e.name === 'SecurityError')) return 'denied';
  if (e && (e.name === 'NotFoundError' || e.name === 'OverconstrainedError')) return 'nocamera';
  return 'camera';
}
