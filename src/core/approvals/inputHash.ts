// The identity of a tool input: SHA-256 over a canonical JSON form. An approval request carries it and a
// decision must name it, so a decision can never apply to an input other than the one the user saw.
//
// Canonical form (in the spirit of RFC 8785, without its number rules): object keys sorted by UTF-16 code
// units, no whitespace, strings and numbers as JSON.stringify writes them. Like JSON.stringify, object
// members whose value is undefined/a function/a symbol are left out, and in arrays they become null;
// non-finite numbers become null. Tool inputs arrive as parsed JSON, so these cases only matter for callers
// that build inputs by hand.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** Deterministic JSON: sorted object keys, no whitespace. Throws TypeError on a cycle or a bigint. */
export function canonicalJson(value: unknown): string {
  return write(value, new Set()) ?? 'null';
}

/** SHA-256 (lowercase hex) of canonicalJson(toolInput). */
export function inputHash(toolInput: unknown): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(toolInput))));
}

function write(value: unknown, seen: Set<object>): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('canonicalJson: bigint is not JSON');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return 'null';
  const obj = value as object;
  if (seen.has(obj)) throw new TypeError('canonicalJson: cyclic value');
  seen.add(obj);
  try {
    if (Array.isArray(obj)) return `[${obj.map((v) => write(v, seen) ?? 'null').join(',')}]`;
    const toJSON = (obj as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return write(toJSON.call(obj), seen);
    const parts: string[] = [];
    for (const key of Object.keys(obj).sort()) {
      const v = write((obj as Record<string, unknown>)[key], seen);
      if (v !== undefined) parts.push(`${JSON.stringify(key)}:${v}`);
    }
    return `{${parts.join(',')}}`;
  } finally {
    seen.delete(obj);
  }
}
