// Shared helpers for the in-editor suite: the extension's API, polling, and screenshot requests to the
// harness (scripts/vscode-tests.mjs watches $WALKIE_SHOTS and answers each request with a `.done` file).
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { WalkieApi } from '../../src/vscode/extension';

export const EXTENSION_ID = 'walkie.walkie';

export async function walkieApi(): Promise<WalkieApi> {
  const ext = vscode.extensions.getExtension<WalkieApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not loaded`);
  return ext.activate();
}

export function extensionRoot(): string {
  return vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
}

/** Polls `probe` every 50 ms until it returns a truthy value; throws naming `what` when the time is up. */
export async function waitFor<T>(what: string, probe: () => T | undefined | null | false, ms = 20000): Promise<T> {
  for (const end = Date.now() + ms; ; await new Promise((r) => setTimeout(r, 50))) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
  }
}

export interface ShotAnswer {
  ok: boolean;
  decoded?: string;
  route?: string;
  routeWarning?: string;
  /** With `notifications`: the text of each notification toast on screen. */
  notifications?: string[];
  /** With `click`: whether the button was there and clicked. */
  clicked?: boolean;
  error?: string;
}

export interface ShotRequest {
  qr?: boolean;
  notifications?: boolean;
  /** Click the button labelled `button` in the toast or modal dialog showing `text`. */
  click?: { where: 'toast' | 'dialog'; text: string; button: string };
}

let shots = 0;

/**
 * Asks the harness for a screenshot of the workbench saved as out/artifacts/<name>.png; with `qr`, it also
 * decodes the pairing QR code it finds on screen; with `notifications` it lists the toasts on screen; with
 * `click` it clicks a button in a toast or dialog, as a user would. Resolves with the harness's answer.
 */
export async function requestShot(name: string, o: ShotRequest = {}): Promise<ShotAnswer> {
  const dir = process.env.WALKIE_SHOTS;
  if (!dir) throw new Error('WALKIE_SHOTS is not set: run this suite through scripts/vscode-tests.mjs');
  const done = path.join(dir, `${name}.done`);
  // Written then renamed, so the harness never reads half a request.
  fs.writeFileSync(path.join(dir, `${name}.tmp`), JSON.stringify(o));
  fs.renameSync(path.join(dir, `${name}.tmp`), path.join(dir, `${name}.request`));
  const text = await waitFor(`the harness's screenshot ${name}`, () => (fs.existsSync(done) ? fs.readFileSync(done, 'utf8') : undefined), 30000);
  fs.rmSync(done, { force: true });
  return JSON.parse(text) as ShotAnswer;
}

/** The notification toasts on screen now, read off the workbench by the harness. */
export async function toastsOnScreen(): Promise<string[]> {
  const r = await requestShot(`toasts-${++shots}`, { notifications: true });
  if (!r.ok || !r.notifications) throw new Error(`the harness could not read the notifications: ${r.error ?? 'no answer'}`);
  return r.notifications;
}

/** Polls the toasts on screen until `probe` accepts them. */
export async function untilToasts(what: string, probe: (toasts: string[]) => boolean, ms = 30000): Promise<string[]> {
  for (const end = Date.now() + ms; ; ) {
    const toasts = await toastsOnScreen();
    if (probe(toasts)) return toasts;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}; on screen: ${JSON.stringify(toasts)}`);
  }
}
