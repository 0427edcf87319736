// The host's list of paired devices: the only device static keys the host accepts on reconnect
// (Noise_IK, docs/protocol.md §Reconnect). Kept in memory, persisted as JSON through a RegistryStore
// (a 0600 file in Node, SecretStorage in VS Code) and validated with zod when loaded. Revoking a device
// fires onRevoked, so the bridge closes its live channel (CloseCode.revoked) at once.
import { sha256 } from '@noble/hashes/sha2.js';
import * as z from 'zod';
import { base64urlToBytes, bytesToBase64url, bytesToHex } from '../base/bytes';
import type { Clock } from '../base/clock';
import { Emitter, type Event } from '../base/event';
import { nullLogger, type Logger } from '../base/logger';
import { DeviceNotifySettingsSchema, type DeviceNotifySettings, type NotifyTarget } from '../wire/notifySettings';
import { LIMITS } from '../wire/protocol';
import { issueSummary } from '../wire/zodIssues';

export interface RegistryStore {
  load(): Promise<string | undefined>;
  save(json: string): Promise<void>;
}

/** 2: devices may carry their notification settings (issue 12). A version-1 file is read and saved as 2. */
export const REGISTRY_VERSION = 2;
export const MAX_DEVICES = 32;
/** lastSeen is persisted at most this often per device (it is a hint for the UI, not a security fact). */
export const TOUCH_SAVE_INTERVAL_MS = 60_000;

const DeviceV1Schema = z.strictObject({
  id: z.string().regex(/^[0-9a-f]{16}$/),
  publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  name: z.string().max(LIMITS.name),
  pairedAt: z.number().int().nonnegative(),
  lastSeen: z.number().int().nonnegative(),
});
const DeviceSchema = DeviceV1Schema.extend({
  /** What the device asked to be notified of, and where (its push subscription, an ntfy topic…). */
  notify: DeviceNotifySettingsSchema.optional(),
});
export type PairedDevice = z.infer<typeof DeviceSchema>;

const FileSchema = z.union([
  z.strictObject({ v: z.literal(1), devices: z.array(DeviceV1Schema).max(MAX_DEVICES) }),
  z.strictObject({ v: z.literal(REGISTRY_VERSION), devices: z.array(DeviceSchema).max(MAX_DEVICES) }),
]);

export type RegistryErrorCode = 'REGISTRY_ERR_CORRUPT' | 'REGISTRY_ERR_FULL' | 'REGISTRY_ERR_KEY';

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** A device's id: the first 8 bytes of SHA-256 of its static key, hex. Stable across re-pairing. */
export function deviceIdOf(publicKey: Uint8Array): string {
  return bytesToHex(sha256(publicKey).subarray(0, 8));
}

/**
 * Removes control and formatting characters from a name a peer chose (it is shown in terminals and UIs:
 * no escape sequences, no bidi overrides) and caps its length.
 */
/** Names the host itself uses as the author of a decision; a device may not pass itself off as one. */
const RESERVED_NAMES = new Set(['vs code', 'vscode', 'local', 'walkie', 'agent', 'timeout', 'terminal']);

export function sanitizeName(name: string, fallback = 'device'): string {
  // eslint-disable-next-line no-control-regex
  const clean = name.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, '').trim().slice(0, LIMITS.name) || fallback;
  // Security: the name becomes the `by` of its decisions (audit log, what the agent is told, "already
  // approved on …"): a device named "VS Code" must not read as a local decision.
  return RESERVED_NAMES.has(clean.toLowerCase()) ? `${clean.slice(0, LIMITS.name - 9)} (device)` : clean;
}

export class DeviceRegistry {
  private readonly devices = new Map<string, PairedDevice>();
  private readonly persistedSeen = new Map<string, number>();
  private saving: Promise<void> = Promise.resolve();
  private readonly revoked = new Emitter<PairedDevice>((e) => this.logger.error(`registry: onRevoked listener failed: ${String(e)}`));
  private readonly changed = new Emitter<void>();
  /** A device was revoked: close its channel. */
  readonly onRevoked: Event<PairedDevice> = this.revoked.event;
  /** The list changed (added, renamed, revoked). */
  readonly onChanged: Event<void> = this.changed.event;

  private constructor(
    private readonly store: RegistryStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Loads the registry from `store` (empty when it holds nothing). @throws RegistryError REGISTRY_ERR_CORRUPT */
  static async open(store: RegistryStore, clock: Clock, logger: Logger = nullLogger): Promise<DeviceRegistry> {
    const registry = new DeviceRegistry(store, clock, logger);
    const text = await store.load();
    if (text !== undefined) registry.restore(text);
    return registry;
  }

  list(): PairedDevice[] {
    return [...this.devices.values()].map((d) => ({ ...d }));
  }

  get(id: string): PairedDevice | undefined {
    const d = this.devices.get(id);
    return d && { ...d };
  }

  /** The paired device with this static key, if any. */
  byPublicKey(publicKey: Uint8Array): PairedDevice | undefined {
    if (publicKey.length !== 32) return undefined;
    const d = this.devices.get(deviceIdOf(publicKey));
    // The id is a hash prefix: compare the whole key before trusting it.
    return d && d.publicKey === bytesToBase64url(publicKey) ? { ...d } : undefined;
  }

  has(publicKey: Uint8Array): boolean {
    return this.byPublicKey(publicKey) !== undefined;
  }

  /** Adds a device (or renames one paired again with the same key). @throws RegistryError REGISTRY_ERR_FULL / REGISTRY_ERR_KEY */
  add(publicKey: Uint8Array, name: string): PairedDevice {
    if (publicKey.length !== 32) throw new RegistryError('REGISTRY_ERR_KEY', 'a device key is 32 bytes');
    const id = deviceIdOf(publicKey);
    const now = this.clock.now();
    const existing = this.devices.get(id);
    if (!existing && this.devices.size >= MAX_DEVICES) throw new RegistryError('REGISTRY_ERR_FULL', `at most ${MAX_DEVICES} devices`);
    const device: PairedDevice = { id, publicKey: bytesToBase64url(publicKey), name: sanitizeName(name), pairedAt: now, lastSeen: now };
    this.devices.set(id, device);
    this.persistedSeen.set(id, now);
    this.logger.info(`registry: ${existing ? 're-paired' : 'paired'} device ${id}`);
    this.persist();
    this.changed.fire();
    return { ...device };
  }

  /** Forgets a device; its live channel is closed by whoever listens to onRevoked. False if unknown. */
  revoke(id: string): boolean {
    const device = this.devices.get(id);
    if (!device) return false;
    this.devices.delete(id);
    this.persistedSeen.delete(id);
    this.logger.info(`registry: revoked device ${id}`);
    this.persist();
    this.revoked.fire({ ...device });
    this.changed.fire();
    return true;
  }

  /** Replaces a device's notification settings (sent by the device itself). False if unknown. */
  setNotify(id: string, settings: DeviceNotifySettings): boolean {
    const device = this.devices.get(id);
    if (!device) return false;
    device.notify = settings;
    this.persist();
    return true;
  }

  /** Drops one notification target of a device (its push service said it is gone). */
  dropNotifyTarget(id: string, target: NotifyTarget): void {
    const device = this.devices.get(id);
    if (!device?.notify) return;
    const key = JSON.stringify(target);
    const targets = device.notify.targets.filter((t) => JSON.stringify(t) !== key);
    if (targets.length === device.notify.targets.length) return;
    device.notify = { ...device.notify, targets };
    this.persist();
  }

  /** Records activity; persisted at most every TOUCH_SAVE_INTERVAL_MS per device. */
  touch(id: string): void {
    const device = this.devices.get(id);
    if (!device) return;
    device.lastSeen = this.clock.now();
    if (device.lastSeen - (this.persistedSeen.get(id) ?? 0) >= TOUCH_SAVE_INTERVAL_MS) {
      this.persistedSeen.set(id, device.lastSeen);
      this.persist();
    }
  }

  toJSON(): string {
    return JSON.stringify({ v: REGISTRY_VERSION, devices: [...this.devices.values()] });
  }

  /** Resolves once every save started so far is done; rejects with the last save error. */
  flush(): Promise<void> {
    return this.saving;
  }

  private restore(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new RegistryError('REGISTRY_ERR_CORRUPT', 'the device registry is not JSON');
    }
    const r = FileSchema.safeParse(json);
    if (!r.success) throw new RegistryError('REGISTRY_ERR_CORRUPT', `the device registry is invalid (${issueSummary(r.error, 1)})`);
    for (const d of r.data.devices) {
      // Fail closed on a tampered file: the id must be the hash of the key it sits next to.
      let key: Uint8Array;
      try {
        key = base64urlToBytes(d.publicKey);
      } catch {
        throw new RegistryError('REGISTRY_ERR_CORRUPT', 'a device key is not base64url');
      }
      if (deviceIdOf(key) !== d.id) throw new RegistryError('REGISTRY_ERR_CORRUPT', 'a device id does not match its key');
      this.devices.set(d.id, { ...d });
      this.persistedSeen.set(d.id, d.lastSeen);
    }
  }

  private persist(): void {
    const json = this.toJSON();
    // Saves run one after another, so the newest state always lands last.
    this.saving = this.saving
      .catch(() => undefined)
      .then(() => this.store.save(json))
      .catch((e: unknown) => {
        this.logger.error(`registry: save failed: ${e instanceof Error ? e.message : String(e)}`);
        throw e;
      });
    this.saving.catch(() => undefined);
  }
}
