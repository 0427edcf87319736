import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CloseCode } from '../../src/core/wire/closeCodes';
import type { WalkieApi } from '../../src/vscode/extension';
import { runPanelAction } from '../../src/vscode/webviews/panelState';
import type { PairingState } from '../../src/vscode/controller/walkieController';
import { requestShot, walkieApi, waitFor } from './helpers';
import { decodeQrSvg } from './qrSvg';
import { WalkieDevice } from './walkieDevice';

describe('Walkie pairing and devices (real VS Code, real `walkie device`)', () => {
  let api: WalkieApi;
  let url: string;
  let device: WalkieDevice | undefined;
  let deviceId: string;
  const spawned: WalkieDevice[] = [];

  before(async () => {
    api = await walkieApi();
  });

  after(async () => {
    for (const d of spawned) {
      await d.stop();
      d.removeState();
    }
    await api.controller.stopHost();
  });

  it('shows a pairing QR code that decodes to the pairing URL, with a countdown in the status bar', async () => {
    const pairing = await vscode.commands.executeCommand<PairingState>('walkie.pairDevice');
    assert.ok(pairing, 'Pair a Device returned no pairing');
    url = pairing.url;
    // code-server (a browser workbench) forwards ports under a path (/proxy/<port>/): the link opens the app
    // through that forward, and names the relay behind it (the next test pairs through it).
    const relayPort = new URL(api.controller.running!.origin).port;
    assert.match(new URL(url).pathname, new RegExp(`/proxy/${relayPort}/$`), url);
    assert.notEqual(new URL(url).origin, api.controller.running!.origin);
    assert.ok(api.controller.running, 'pairing did not start the host');
    assert.equal(api.statusBar.state.kind, 'pairing');
    assert.match(api.statusBar.text, /Walkie: pair [0-5]:[0-5]\d$/);
    assert.match(api.statusBar.tooltip, /Click to show it/);
    const shown = await waitFor('the pairing view to get the QR code', () => api.devices.lastPairing);
    assert.equal(shown.url, url);
    assert.equal(decodeQrSvg(shown.qrSvg), url, 'the QR code sent to the pairing view does not decode to the pairing URL');
    // The harness reads the QR code off the screen, as a phone camera would.
    const shot = await requestShot('vscode-pairing', { qr: true });
    assert.equal(shot.error, undefined);
    assert.equal(shot.decoded, url, 'the QR code on screen does not decode to the pairing URL');
    // A loopback link is never shown without saying a phone cannot open it (issue 11).
    assert.equal(pairing.route.label, 'Only this computer can open this link.');
    assert.equal(shot.route, 'Only this computer can open this link.');
    assert.match(String(shot.routeWarning), /^A phone cannot open this link: use a relay, enable a tunnel/);
  });

  it('pairs a `walkie device` process with the decoded URL and both sides show the same words', async () => {
    const paired = new Promise<{ sas: string }>((resolve) => api.controller.onDidPair(resolve));
    device = WalkieDevice.pair(decodeQrSvg(api.devices.lastPairing!.qrSvg)!, 'vscode-test-phone');
    spawned.push(device);
    const line = await device.wait('paired', (l) => l.type === 'paired');
    assert.equal(line.sas, (await paired).sas);
    await device.wait('online', (l) => l.type === 'status' && l.state === 'online');
    await waitFor('the status bar to count the device', () => api.statusBar.state.kind === 'session' && api.statusBar.state.devices === 1);
    assert.match(api.statusBar.text, /Walkie: 1 device$/);
    const state = api.controller.state();
    assert.equal(state.pairing, undefined, 'the single-use pairing code is still offered');
    const entry = state.paired.find((d) => d.name === 'vscode-test-phone');
    assert.ok(entry, 'the device is not in the registry');
    deviceId = entry.id;
  });

  it('"New code" makes the previous QR code useless: a device that scans it is refused', async () => {
    const first = await api.controller.newPairing();
    assert.equal(await runPanelAction(api.controller, { type: 'newPairing' }), true);
    const second = api.controller.state().pairing;
    assert.ok(second && second.url !== first.url);
    const stale = WalkieDevice.pair(first.url, 'stale-scan');
    spawned.push(stale);
    const closed = await stale.wait('refused', (l) => l.type === 'status' && l.state === 'offline');
    assert.equal(closed.code, CloseCode.handshakeFailed);
    assert.equal(await stale.exited, 1);
    assert.equal(api.controller.state().paired.some((d) => d.name === 'stale-scan'), false);
    api.controller.cancelPairing();
    assert.equal(api.statusBar.state.kind, 'session');
  });

  it('keeps the paired device in SecretStorage across a restart, and the device reconnects without a URL', async () => {
    await device!.stop();
    await api.controller.stopHost();
    assert.deepEqual(api.statusBar.state, { kind: 'off' });
    const saved = await api.store.registry.load();
    assert.ok(saved?.includes(deviceId), 'the registry is not in SecretStorage');
    const host = await api.controller.ensureHost();
    assert.ok(host.pairedDevices().some((d) => d.id === deviceId), 'the restarted host forgot the device');
    device = WalkieDevice.reconnect(device!);
    spawned.push(device);
    await device.wait('online again', (l) => l.type === 'status' && l.state === 'online');
    await waitFor('the status bar to count the reconnected device', () => api.statusBar.state.kind === 'session' && api.statusBar.state.devices === 1);
  });

  it('revokes a device: its `walkie device` process is closed as revoked and exits', async () => {
    assert.equal(api.controller.revoke(deviceId), true);
    const closed = await device!.wait('closed', (l) => l.type === 'status' && l.state === 'offline');
    assert.equal(closed.code, CloseCode.revoked);
    assert.equal(await device!.exited, 1);
    assert.equal(api.controller.state().paired.some((d) => d.id === deviceId), false);
    await waitFor('the status bar to drop the device', () => api.statusBar.state.kind === 'session' && api.statusBar.state.devices === 0);
    assert.match(api.statusBar.text, /no device$/);
  });
});
