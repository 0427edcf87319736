// Decodes the pairing QR code as the pairing view receives it (qrcode's SVG: one stroked path of
// horizontal runs, `M x y.5 h n m dx dy …`) by rasterising the modules and reading them with jsQR.
import jsQR from 'jsqr';

export function decodeQrSvg(svg: string, scale = 4): string | undefined {
  const size = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)?.[1]);
  const d = /<path[^>]*stroke="#000000"[^>]*d="([^"]+)"/.exec(svg)?.[1];
  if (!size || !d) return undefined;
  const dark = new Uint8Array(size * size);
  let x = 0;
  let y = 0;
  for (const [, op, a, b] of d.matchAll(/([Mmh])(-?[\d.]+)(?:[ ,](-?[\d.]+))?/g)) {
    if (op === 'M') [x, y] = [Number(a), Number(b)];
    else if (op === 'm') [x, y] = [x + Number(a), y + Number(b)];
    else {
      const row = Math.floor(y);
      for (let i = 0; i < Number(a); i++) dark[row * size + x + i] = 1;
      x += Number(a);
    }
  }
  const w = size * scale;
  const rgba = new Uint8ClampedArray(w * w * 4).fill(255);
  for (let py = 0; py < w; py++)
    for (let px = 0; px < w; px++)
      if (dark[Math.floor(py / scale) * size + Math.floor(px / scale)]) rgba.fill(0, (py * w + px) * 4, (py * w + px) * 4 + 3);
  return jsQR(rgba, w, w)?.data;
}
