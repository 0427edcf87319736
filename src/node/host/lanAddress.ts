// The address a host advertises to phones in LAN mode.
import os from 'node:os';

/** The first non-internal IPv4 address of this machine, for LAN mode; undefined when there is none. */
export function lanAddress(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}
