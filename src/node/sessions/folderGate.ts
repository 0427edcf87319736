// Which folders a device may start a session in: the host's allow-list (`walkie serve --allow-dir`, VS
// Code's workspace folders) and everything below them. Security: a device names the folder, so the check
// is made on real paths — symlinks resolved on both sides, `..` refused outright, the folder must exist and
// be a directory — and a refusal says why in words the device can show.
import fs from 'node:fs';
import path from 'node:path';

export type FolderCheck = { readonly ok: true; readonly folder: string } | { readonly ok: false; readonly reason: string };

/** The real paths of the allow-list; an entry that does not exist or is not a folder throws (a usage error). */
export function resolveAllowedFolders(dirs: readonly string[]): string[] {
  return dirs.map((d) => {
    let real: string;
    try {
      real = fs.realpathSync(path.resolve(d));
    } catch {
      throw new Error(`${d} does not exist`);
    }
    if (!fs.statSync(real).isDirectory()) throw new Error(`${d} is not a folder`);
    return real;
  });
}

/** Checks a folder a device asked for against the allowed real paths. Never throws. */
export function checkFolder(requested: unknown, allowed: readonly string[]): FolderCheck {
  if (typeof requested !== 'string' || !requested || requested.includes('\0')) return { ok: false, reason: 'No folder was named.' };
  if (!allowed.length) return { ok: false, reason: 'This computer allows no folders for sessions started from a device.' };
  if (!path.isAbsolute(requested)) return { ok: false, reason: `"${short(requested)}" is not a full path; choose one of the allowed folders.` };
  // Refused even where it would resolve inside: a path that climbs is not what anyone means to send.
  if (requested.split(/[\\/]+/).includes('..')) return { ok: false, reason: `"${short(requested)}" contains "..", which is not accepted.` };
  let real: string;
  try {
    real = fs.realpathSync(requested);
  } catch {
    return { ok: false, reason: `"${short(requested)}" does not exist on this computer.` };
  }
  try {
    if (!fs.statSync(real).isDirectory()) return { ok: false, reason: `"${short(requested)}" is not a folder.` };
  } catch {
    return { ok: false, reason: `"${short(requested)}" cannot be read.` };
  }
  for (const a of allowed) {
    const rel = path.relative(a, real);
    if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) return { ok: true, folder: real };
  }
  const via = real !== path.resolve(requested) ? ` (it leads to ${short(real)})` : '';
  return { ok: false, reason: `"${short(requested)}"${via} is outside the folders this computer allows: ${allowed.map(short).join(', ')}.` };
}

function short(p: string): string {
  return p.length > 80 ? `…${p.slice(-79)}` : p;
}
