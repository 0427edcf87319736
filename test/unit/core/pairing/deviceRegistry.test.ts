import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ManualClock } from '../../../../src/core/base/clock';
import { deviceIdOf, DeviceRegistry, MAX_DEVICES, RegistryError, sanitizeName, TOUCH_SAVE_INTERVAL_MS, type RegistryStore } from '../../../../src/core/pairing/deviceRegistry';

class MemoryStore implements RegistryStore {
  saves = 0;
  constructor(public text?: string) {}
  async load() {
    return this.text;
  }
  async save(json: string) {
    this.saves++;
    this.text = json;
  }
}

const key = () => new Uint8Array(randomBytes(32));

async function rejectsWith(p: Promise<unknown>, code: string) {
  await assert.rejects(p, (e: unknown) => e instanceof RegistryError && e.code === code);
}

describe('DeviceRegistry', () => {
  it('reads a version-1 file, keeps notification settings per device and saves version 2; revoking drops them', async () => {
    const clock = new ManualClock();
    const k = key();
    const v1 = { v: 1, devices: [{ id: deviceIdOf(k), publicKey: Buffer.from(k).toString('base64url'), name: 'Old phone', pairedAt: 1, lastSeen: 2 }] };
    const store = new MemoryStore(JSON.stringify(v1));
    const reg = await DeviceRegistry.open(store, clock);
    assert.equal(reg.list()[0]!.notify, undefined);
    const sub = { kind: 'webpush' as const, subscription: { endpoint: 'https://fcm.googleapis.com/fcm/send/x', keys: { p256dh: 'B'.repeat(87), auth: 'A'.repeat(22) } } };
    const ntfy = { kind: 'ntfy' as const, topicUrl: 'https://ntfy.sh/walkie-x' };
    assert.equal(reg.setNotify(deviceIdOf(k), { privacy: 'folder', whenPresent: false, turnFinished: true, sessionEnded: false, targets: [sub, ntfy] }), true);
    assert.equal(reg.setNotify('0000000000000000', { privacy: 'folder', whenPresent: false, turnFinished: true, sessionEnded: true, targets: [] }), false);
    reg.dropNotifyTarget(deviceIdOf(k), sub);
    await reg.flush();
    assert.equal(JSON.parse(store.text!).v, 2);
    const again = await DeviceRegistry.open(store, clock);
    assert.deepEqual(again.list()[0]!.notify?.targets, [ntfy]);
    assert.equal(again.list()[0]!.notify?.sessionEnded, false);
    again.revoke(deviceIdOf(k));
    await again.flush();
    assert.doesNotMatch(store.text!, /ntfy/);
  });

  it('adds, finds by key, lists and persists devices', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore();
    const reg = await DeviceRegistry.open(store, clock);
    const k = key();
    const d = reg.add(k, 'Pixel');
    assert.equal(d.id, deviceIdOf(k));
    assert.equal(d.pairedAt, clock.now());
    assert.equal(reg.has(k), true);
    assert.equal(reg.has(key()), false);
    assert.deepEqual(reg.list(), [d]);
    await reg.flush();
    const again = await DeviceRegistry.open(store, clock);
    assert.deepEqual(again.list(), [d]);
    assert.equal(again.has(k), true);
  });

  it('revokes a device, fires onRevoked and forgets its key', async () => {
    const store = new MemoryStore();
    const reg = await DeviceRegistry.open(store, new ManualClock());
    const k = key();
    const d = reg.add(k, 'Phone');
    const revoked: string[] = [];
    reg.onRevoked((x) => revoked.push(x.id));
    assert.equal(reg.revoke(d.id), true);
    assert.equal(reg.revoke(d.id), false);
    assert.deepEqual(revoked, [d.id]);
    assert.equal(reg.has(k), false);
    await reg.flush();
    assert.equal((await DeviceRegistry.open(store, new ManualClock())).has(k), false);
  });

  it('keeps one entry per key when a device pairs again, with the new name', async () => {
    const reg = await DeviceRegistry.open(new MemoryStore(), new ManualClock());
    const k = key();
    reg.add(k, 'old');
    reg.add(k, 'new');
    assert.deepEqual(reg.list().map((d) => d.name), ['new']);
  });

  it('strips control characters and bidi overrides from names and caps their length', async () => {
    const reg = await DeviceRegistry.open(new MemoryStore(), new ManualClock());
    assert.equal(reg.add(key(), '\u001b[31mEvil\u202e\u0007').name, '[31mEvil');
    assert.equal(reg.add(key(), 'x'.repeat(500)).name.length, 64);
    assert.equal(reg.add(key(), '\u0000').name, 'device');
  });

  it('saves lastSeen at most once per interval', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore();
    const reg = await DeviceRegistry.open(store, clock);
    const d = reg.add(key(), 'p');
    await reg.flush();
    const saves = store.saves;
    clock.advance(1000);
    reg.touch(d.id);
    await reg.flush();
    assert.equal(store.saves, saves);
    assert.equal(reg.get(d.id)!.lastSeen, clock.now());
    clock.advance(TOUCH_SAVE_INTERVAL_MS);
    reg.touch(d.id);
    await reg.flush();
    assert.equal(store.saves, saves + 1);
  });

  it(`refuses more than ${MAX_DEVICES} devices`, async () => {
    const reg = await DeviceRegistry.open(new MemoryStore(), new ManualClock());
    for (let i = 0; i < MAX_DEVICES; i++) reg.add(key(), `d${i}`);
    assert.throws(() => reg.add(key(), 'one too many'), (e: unknown) => e instanceof RegistryError && e.code === 'REGISTRY_ERR_FULL');
    assert.throws(() => reg.add(new Uint8Array(31), 'short'), (e: unknown) => e instanceof RegistryError && e.code === 'REGISTRY_ERR_KEY');
  });

  it('refuses a corrupt or tampered file (fails closed)', async () => {
    const clock = new ManualClock();
    await rejectsWith(DeviceRegistry.open(new MemoryStore('{nope'), clock), 'REGISTRY_ERR_CORRUPT');
    await rejectsWith(DeviceRegistry.open(new MemoryStore('{"v":3,"devices":[]}'), clock), 'REGISTRY_ERR_CORRUPT');
    await rejectsWith(DeviceRegistry.open(new MemoryStore('{"v":1,"devices":[{"id":"0000000000000000","publicKey":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","name":"n","pairedAt":1,"lastSeen":1,"notify":{}}]}'), clock), 'REGISTRY_ERR_CORRUPT');
    await rejectsWith(DeviceRegistry.open(new MemoryStore('{"v":1,"devices":[{"id":"x"}]}'), clock), 'REGISTRY_ERR_CORRUPT');
    const store = new MemoryStore();
    const reg = await DeviceRegistry.open(store, clock);
    reg.add(key(), 'p');
    await reg.flush();
    // Swap the key for another: the id no longer matches.
    const file = JSON.parse(store.text!);
    file.devices[0].publicKey = Buffer.from(randomBytes(32)).toString('base64url');
    await rejectsWith(DeviceRegistry.open(new MemoryStore(JSON.stringify(file)), clock), 'REGISTRY_ERR_CORRUPT');
  });

  it('reports a failed save through flush and keeps serving from memory', async () => {
    const store: RegistryStore = { load: async () => undefined, save: async () => Promise.reject(new Error('disk full')) };
    const reg = await DeviceRegistry.open(store, new ManualClock());
    const k = key();
    reg.add(k, 'p');
    await assert.rejects(reg.flush(), /disk full/);
    assert.equal(reg.has(k), true);
  });
});

describe('sanitizeName', () => {
  it('does not let a device name itself like a local decider', () => {
    for (const name of ['VS Code', 'vscode', ' Local ', 'WALKIE', 'timeout']) {
      const clean = sanitizeName(name);
      assert.match(clean, / \(device\)$/, name);
    }
    assert.equal(sanitizeName('Pixel 8'), 'Pixel 8');
    assert.equal(sanitizeName('\u202eevil\u0007'), 'evil');
    assert.equal(sanitizeName('   '), 'device');
  });
});

