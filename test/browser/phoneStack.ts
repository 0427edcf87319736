// Helpers for the browser tests that run the real stack (`walkie relay`, `walkie host`, a real agent CLI):
// reading the pairing QR code the host prints, and a free port for the relay.
import net from 'node:net';
import jsQR from 'jsqr';

/**
 * Rasterises a QR code printed by `qrcode`'s small terminal renderer (half blocks, with ANSI colours) into
 * RGBA pixels — what a phone camera would see on the screen — so jsqr can decode it.
 */
export function scanTerminalQr(text: string): string | undefined {
  const rows: boolean[][] = [];
  for (const line of text.split('\n')) {
    if (!/[▀▄█]/.test(line)) continue;
    let fgDark: boolean | undefined;
    let bgDark = false;
    const top: boolean[] = [];
    const bottom: boolean[] = [];
    for (let i = 0; i < line.length; i++) {
      if (line[i] === '\x1b') {
        // eslint-disable-next-line no-control-regex -- reading ANSI colour escapes is the point here
        const m = /^\x1b\[(\d+)m/.exec(line.slice(i));
        if (!m) continue;
        const code = Number(m[1]);
        if (code === 0) { fgDark = undefined; bgDark = false; }
        else if (code === 30) fgDark = true;
        else if (code === 37) fgDark = false;
        else if (code === 40) bgDark = true;
        else if (code === 47) bgDark = false;
        i += m[0].length - 1;
        continue;
      }
      const fg = fgDark ?? false;
      const ch = line[i];
      if (ch === '█') { top.push(fg); bottom.push(fg); }
      else if (ch === '▀') { top.push(fg); bottom.push(bgDark); }
      else if (ch === '▄') { top.push(bgDark); bottom.push(fg); }
      else if (ch === ' ') { top.push(bgDark); bottom.push(bgDark); }
    }
    rows.push(top, bottom);
  }
  if (rows.length === 0) return undefined;
  const scale = 4;
  const margin = 4;
  const w = (Math.max(...rows.map((r) => r.length)) + 2 * margin) * scale;
  const h = (rows.length + 2 * margin) * scale;
  const rgba = new Uint8ClampedArray(w * h * 4).fill(255);
  rows.forEach((row, y) => row.forEach((dark, x) => {
    if (!dark) return;
    for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) {
      const o = (((y + margin) * scale + dy) * w + (x + margin) * scale + dx) * 4;
      rgba[o] = rgba[o + 1] = rgba[o + 2] = 0;
    }
  }));
  return jsQR(rgba, w, h)?.data;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
