// Minimal PNG decoder for the test chips: 8-bit greyscale, RGB or RGBA,
// non-interlaced (what Go's image/png writes). Returns {width, height, rgba}
// with rgba a Uint8Array of width*height*4 bytes. Anything else throws.
import { inflateSync } from 'node:zlib';

export function decodePNG(buf) {
  const sig = [137, 80, 78, 71, 13, 10, 26, 10];
  for (let i = 0; i < 8; i++) if (buf[i] !== sig[i]) throw new Error('not a PNG');
  let off = 8;
  let width = 0; let height = 0; let depth = 0; let ctype = 0; let interlace = 0;
  const idat = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0); height = data.readUInt32BE(4);
      depth = data[8]; ctype = data[9]; interlace = data[12];
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    off += 12 + len;
  }
  const channels = { 0: 1, 2: 3, 6: 4 }[ctype];
  if (depth !== 8 || !channels || interlace !== 0) throw new Error(`unsupported PNG: depth ${depth} type ${ctype} interlace ${interlace}`);
  const raw = inflateSync(Buffer.concat(idat));
  const bpp = channels; const stride = width * bpp;
  const px = new Uint8Array(height * stride);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = px.subarray(y * stride, (y + 1) * stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? cur[x - bpp] : 0; const b = prev[x]; const c = x >= bpp ? prev[x - bpp] : 0;
      let v = line[x];
      if (f === 1) v += a;
      else if (f === 2) v += b;
      else if (f === 3) v += (a + b) >> 1;
      else if (f === 4) {
        const p = a + b - c; const pa = Math.abs(p - a); const pb = Math.abs(p - b); const pc = Math.abs(p - c);
        v += (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
      } else if (f !== 0) throw new Error(`bad PNG filter ${f}`);
      cur[x] = v & 255;
    }
    prev = cur;
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    if (channels === 1) { rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = px[i]; rgba[4 * i + 3] = 255; }
    else {
      rgba[4 * i] = px[i * channels]; rgba[4 * i + 1] = px[i * channels + 1]; rgba[4 * i + 2] = px[i * channels + 2];
      rgba[4 * i + 3] = channels === 4 ? px[i * channels + 3] : 255;
    }
  }
  return { width, height, rgba };
}
