// Keeps the host's long-lived secrets (its Noise static key and relay identity) and the paired-device
// registry in a state folder, for `walkie host`. VS Code keeps the same data in SecretStorage instead.
// Security: the folder is 0700 and every file 0600, written atomically (temp file + rename).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RegistryStore } from '../../core/pairing/deviceRegistry';

export interface HostStateStore {
  /** The host identity (JSON text) or undefined the first time. */
  loadIdentity(): Promise<string | undefined>;
  saveIdentity(json: string): Promise<void>;
  readonly registry: RegistryStore;
  /** The Web Push key pair (VAPID): its private half signs every push this host sends. */
  readonly vapid?: { load(): Promise<string | undefined>; save(json: string): Promise<void> };
}

export function defaultHostStateDir(): string {
  return path.join(os.homedir(), '.walkie', 'host');
}

export class FileStateStore implements HostStateStore {
  readonly registry: RegistryStore;
  readonly vapid: RegistryStore;

  constructor(readonly dir: string) {
    this.registry = { load: () => this.read('devices.json'), save: (json) => this.write('devices.json', json) };
    this.vapid = { load: () => this.read('vapid.json'), save: (json) => this.write('vapid.json', json) };
  }

  loadIdentity(): Promise<string | undefined> {
    return this.read('identity.json');
  }

  saveIdentity(json: string): Promise<void> {
    return this.write('identity.json', json);
  }

  private async read(name: string): Promise<string | undefined> {
    try {
      return await fs.promises.readFile(path.join(this.dir, name), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  private async write(name: string, text: string): Promise<void> {
    await fs.promises.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = path.join(this.dir, name);
    const tmp = `${file}.${process.pid}.tmp`;
    await fs.promises.writeFile(tmp, text, { mode: 0o600 });
    await fs.promises.rename(tmp, file);
  }
}
