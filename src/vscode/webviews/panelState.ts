// What both webviews show besides the chat: the pairing code (QR as SVG, link, expiry) and the devices and
// sessions — built from the controller — and the actions their buttons ask for.
import QRCode from 'qrcode';
import * as vscode from 'vscode';
import type { FromPanelMessage, PanelDevice, ToPanelMessage } from './panelMessages';
import type { PairingState, WalkieController } from '../controller/walkieController';

/** One QR code kept: the SVG for the current pairing URL. */
let qrCache: { url: string; svg: string } | undefined;

export async function qrSvg(url: string): Promise<string> {
  if (qrCache?.url !== url) qrCache = { url, svg: await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }) };
  return qrCache.svg;
}

export async function pairingMessage(p: PairingState | undefined): Promise<ToPanelMessage> {
  return { type: 'pairing', pairing: p ? { url: p.url, qrSvg: await qrSvg(p.url), expiresAt: p.expiresAt, route: p.route } : null };
}

export function devicesMessage(controller: WalkieController): ToPanelMessage {
  const s = controller.state();
  const online = new Set(s.connected.map((d) => d.id));
  const devices: PanelDevice[] = s.paired.map((d) => ({ id: d.id, name: d.name, pairedAt: d.pairedAt, lastSeen: d.lastSeen, connected: online.has(d.id) }));
  const sessions = controller.running?.service.sessionInfos().map((i) => ({ id: i.id, title: i.title, status: i.status })) ?? [];
  return { type: 'devices', devices, sessions, running: s.running };
}

/** Carries out a pairing/devices action from either webview. Returns false for messages it does not handle. */
export async function runPanelAction(controller: WalkieController, m: FromPanelMessage): Promise<boolean> {
  switch (m.type) {
    case 'newPairing':
      await controller.newPairing();
      return true;
    case 'cancelPairing':
      controller.cancelPairing();
      return true;
    case 'copyLink': {
      const url = controller.state().pairing?.url;
      if (url) {
        await vscode.env.clipboard.writeText(url);
        void vscode.window.setStatusBarMessage('Walkie: pairing link copied (single use; it expires with the QR code)', 4000);
      }
      return true;
    }
    case 'revoke': {
      const device = controller.state().paired.find((d) => d.id === m.deviceId);
      if (!device) return true;
      const ok = await vscode.window.showWarningMessage(`Revoke "${device.name}"? It is disconnected now and must pair again to reconnect.`, { modal: true }, 'Revoke');
      if (ok === 'Revoke') controller.revoke(device.id);
      return true;
    }
    case 'showPanel':
      await vscode.commands.executeCommand('walkie.showPanel');
      return true;
    case 'chooseRoute':
      // One click from "a phone cannot open this link" to the settings that fix it: mode, tunnel, relay URL.
      await vscode.commands.executeCommand('workbench.action.openSettings', 'walkie.relay');
      return true;
    default:
      return false;
  }
}
