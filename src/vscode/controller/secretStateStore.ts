// The host's long-lived state inside VS Code: its identity (Noise static key, relay identity) and the
// paired-device registry, kept in the editor's SecretStorage (the OS keychain on desktop) — never in
// settings or plain files. Implements the same HostStateStore as `walkie host`'s 0600 files.
import type * as vscode from 'vscode';
import type { RegistryStore } from '../../core/pairing/deviceRegistry';
import type { HostStateStore } from '../../node/host/fileStateStore';

const IDENTITY_KEY = 'walkie.host.identity';
const REGISTRY_KEY = 'walkie.host.registry';
const VAPID_KEY = 'walkie.host.vapid';

export class SecretStateStore implements HostStateStore {
  readonly registry: RegistryStore;
  readonly vapid: RegistryStore;

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.registry = {
      load: () => this.read(REGISTRY_KEY),
      save: (json) => this.write(REGISTRY_KEY, json),
    };
    this.vapid = { load: () => this.read(VAPID_KEY), save: (json) => this.write(VAPID_KEY, json) };
  }

  loadIdentity(): Promise<string | undefined> {
    return this.read(IDENTITY_KEY);
  }

  saveIdentity(json: string): Promise<void> {
    return this.write(IDENTITY_KEY, json);
  }

  private async read(key: string): Promise<string | undefined> {
    return (await this.secrets.get(key)) ?? undefined;
  }

  private async write(key: string, value: string): Promise<void> {
    await this.secrets.store(key, value);
  }
}
