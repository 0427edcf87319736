// A real `walkie device --json` process (dist/cli.js) driven from the in-editor suite: it prints one JSON
// object per line (docs/cli.md) and reads JSON commands on stdin.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { extensionRoot, waitFor } from './helpers';

export interface DeviceLine {
  type: string;
  [k: string]: unknown;
}

export class WalkieDevice {
  readonly lines: DeviceLine[] = [];
  readonly exited: Promise<number | null>;
  exitCode: number | null | undefined;
  private readonly proc: ChildProcess;

  private constructor(
    readonly stateDir: string,
    readonly name: string,
    url: string | undefined,
  ) {
    const cli = path.join(extensionRoot(), 'dist', 'cli.js');
    const args = [cli, 'device', ...(url ? [url] : []), '--json', '--state-dir', stateDir, '--name', name];
    this.proc = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH, HOME: stateDir } });
    let buf = '';
    this.proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (line) this.lines.push(JSON.parse(line) as DeviceLine);
      }
    });
    this.proc.stderr!.resume();
    this.exited = new Promise((resolve) => this.proc.on('exit', (code) => resolve((this.exitCode = code))));
  }

  /** Pairs a new device (fresh state folder) with `url`. */
  static pair(url: string, name: string): WalkieDevice {
    return new WalkieDevice(fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-vscode-device-')), name, url);
  }

  /** Reconnects a device paired earlier, from its state folder. */
  static reconnect(earlier: WalkieDevice): WalkieDevice {
    return new WalkieDevice(earlier.stateDir, earlier.name, undefined);
  }

  find(pred: (l: DeviceLine) => boolean): DeviceLine | undefined {
    return this.lines.find(pred);
  }

  wait(what: string, pred: (l: DeviceLine) => boolean, ms = 20000): Promise<DeviceLine> {
    return waitFor(`device ${this.name}: ${what}`, () => this.find(pred), ms);
  }

  send(command: Record<string, unknown>): void {
    this.proc.stdin!.write(JSON.stringify(command) + '\n');
  }

  async stop(): Promise<void> {
    if (this.exitCode === undefined) {
      this.proc.stdin!.end();
      const t = setTimeout(() => this.proc.kill('SIGKILL'), 3000);
      await this.exited;
      clearTimeout(t);
    }
  }

  removeState(): void {
    fs.rmSync(this.stateDir, { recursive: true, force: true });
  }
}
