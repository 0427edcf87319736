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

/**
 * Asks the harness for a screenshot of the workbench saved as out/artifacts/<name>.png; with `qr`, it also
 * decodes the pairing QR code it finds on screen. Resolves with the harness's answer.
 */
export async function requestShot(name: string, o: { qr?: boolean } = {}): Promise<{ ok: boolean; decoded?: string; route?: string; routeWarning?: string; error?: string }> {
  const dir = process.env.WALKIE_SHOTS;
  if (!dir) throw new Error('WALKIE_SHOTS is not set: run this suite through scripts/vscode-tests.mjs');
  const done = path.join(dir, `${name}.done`);
  // Written then renamed, so the harness never reads half a request.
  fs.writeFileSync(path.join(dir, `${name}.tmp`), JSON.stringify({ qr: o.qr === true }));
  fs.renameSync(path.join(dir, `${name}.tmp`), path.join(dir, `${name}.request`));
  const text = await waitFor(`the harness's screenshot ${name}`, () => (fs.existsSync(done) ? fs.readFileSync(done, 'utf8') : undefined), 30000);
  return JSON.parse(text) as { ok: boolean; decoded?: string; route?: string; routeWarning?: string; error?: string };
}
