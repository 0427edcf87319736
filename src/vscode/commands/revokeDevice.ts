import * as vscode from 'vscode';
import type { WalkieController } from '../controller/walkieController';

/** Walkie: Revoke Device… — pick a paired device; it is disconnected now and must pair again. */
export class RevokeDeviceCommand {
  static readonly id = 'walkie.revokeDevice';
  readonly id = RevokeDeviceCommand.id;

  constructor(private readonly controller: WalkieController) {}

  async execute(): Promise<void> {
    await this.controller.ensureHost();
    const { paired, connected } = this.controller.state();
    if (!paired.length) return void vscode.window.showInformationMessage('Walkie: no device is paired.');
    const online = new Set(connected.map((d) => d.id));
    const items = paired.map((d) => ({ label: d.name, description: online.has(d.id) ? 'connected' : `last seen ${new Date(d.lastSeen).toLocaleString()}`, id: d.id }));
    const pick = await vscode.window.showQuickPick(items, { title: 'Walkie: Revoke Device', placeHolder: 'The device is disconnected now and must pair again' });
    if (pick && this.controller.revoke(pick.id)) void vscode.window.showInformationMessage(`Walkie: revoked "${pick.label}".`);
  }
}
