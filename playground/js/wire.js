// wire.js — decodes the worker's packed results. Mirrors
// wasm/internal/wire (see its doc.go for the layout); change both together.
export const VERSION = 3;
export const FLAG_STILL = 1, FLAG_CANDIDATES = 2, FLAG_CHIP = 4;
export const TENTATIVE = 0, CONFIRMED = 1, LOST = 2;
const HEADER = 27, FACE = 10, TRACK = 10;

/** decode turns a Float32Array message into plain objects. */
export function decode(f) {
  if (f.length < HEADER || f[0] !== 0xFACE || f[1] !== VERSION) throw new Error('wire: bad message');
  const r = {
    seq: f[2], width: f[3], height: f[4], flags: f[5],
    timings: { grab: f[6], detect: f[7], align: f[8], track: f[9], embed: f[10], total: f[11] },
    line: { x1: f[15], y1: f[16], x2: f[17], y2: f[18] },
    in: f[19], out: f[20],
    sweep: { minSize: f[21], maxSize: f[22], shift: f[23], scale: f[24] },
    candidates: [], faces: [], tracks: [], embedding: null,
    chipKey: f[26], // when not 0: the attached chip is a track's, to embed and send back
  };
  const nc = f[12], nf = f[13], nt = f[14];
  let p = HEADER;
  for (let i = 0; i < nc; i++, p += 4) r.candidates.push({ x: f[p], y: f[p + 1], size: f[p + 2], q: f[p + 3] });
  for (let i = 0; i < nf; i++) {
    const k = f[p + 9];
    const face = {
      x: f[p], y: f[p + 1], w: f[p + 2], h: f[p + 3], score: f[p + 4],
      left: Number.isNaN(f[p + 5]) ? null : { x: f[p + 5], y: f[p + 6] },
      right: Number.isNaN(f[p + 7]) ? null : { x: f[p + 7], y: f[p + 8] },
      landmarks: [],
    };
    for (let j = 0; j < k; j++) face.landmarks.push({ x: f[p + FACE + 2 * j], y: f[p + FACE + 2 * j + 1] });
    r.faces.push(face);
    p += FACE + 2 * k;
  }
  for (let i = 0; i < nt; i++) {
    const n = f[p + 9];
    const t = { id: f[p], x: f[p + 1], y: f[p + 2], w: f[p + 3], h: f[p + 4], state: f[p + 5], age: f[p + 6], trail: [] };
    // Re-identified: the ID came back after gapMs unseen, at this distance.
    if (!Number.isNaN(f[p + 8])) t.recall = { gapMs: f[p + 7], distance: f[p + 8] };
    for (let j = 0; j < n; j++) t.trail.push({ x: f[p + TRACK + 2 * j], y: f[p + TRACK + 2 * j + 1] });
    r.tracks.push(t);
    p += TRACK + 2 * n;
  }
  const ne = f[25];
  if (ne > 0) r.embedding = f.slice(p, p + ne);
  p += ne;
  if (p > f.length) throw new Error('wire: truncated message');
  return r;
}
