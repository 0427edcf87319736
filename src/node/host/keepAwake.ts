// Keeps the computer from sleeping while an agent session is working or waiting for an approval and a
// device is paired (issue 13): a phone user who walked away must not find the agent frozen by sleep.
// One platform tool per OS, started while wanted and ended when not:
//  - Linux: `systemd-inhibit --what=sleep:idle … tail --pid=<walkie> -f /dev/null`
//  - macOS: `caffeinate -i -w <walkie>`
//  - Windows: PowerShell calling SetThreadExecutionState(ES_CONTINUOUS | ES_SYSTEM_REQUIRED), then
//    `Wait-Process -Id <walkie>` (the state belongs to that thread and ends with its process)
// Each one also waits on Walkie's own pid, so a crash (even SIGKILL) releases the lock: the tool exits when
// Walkie does. A missing tool is said once and nothing else happens.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Disposable } from '../../core/base/dispose';
import { Emitter, type Event } from '../../core/base/event';
import { nullLogger, type Logger } from '../../core/base/logger';
import type { SessionInfo } from '../../core/wire/protocol';
import { which } from '../terminal/which';

export interface InhibitorPlan {
  readonly command: string;
  readonly args: readonly string[];
}

const WHY = 'A Walkie agent session is working or waiting for approval';

/** The tool that keeps `platform` awake for as long as process `pid` runs, or undefined where none is known. */
export function inhibitorFor(platform: NodeJS.Platform, pid: number): InhibitorPlan | undefined {
  switch (platform) {
    case 'linux':
      return { command: 'systemd-inhibit', args: ['--what=sleep:idle', '--who=Walkie', `--why=${WHY}`, '--mode=block', 'tail', `--pid=${pid}`, '-f', '/dev/null'] };
    case 'darwin':
      return { command: 'caffeinate', args: ['-i', '-w', String(pid)] };
    case 'win32': {
      const script = [
        "$k = Add-Type -Name Power -Namespace Walkie -PassThru -MemberDefinition '[DllImport(\"kernel32.dll\")] public static extern uint SetThreadExecutionState(uint f);'",
        // ES_CONTINUOUS (0x80000000) | ES_SYSTEM_REQUIRED (0x1)
        '[void]$k::SetThreadExecutionState([uint32]2147483649)',
        `Wait-Process -Id ${pid}`,
      ].join('; ');
      return { command: 'powershell.exe', args: ['-NoProfile', '-NonInteractive', '-Command', script] };
    }
    default:
      return undefined;
  }
}

export interface KeepAwakeOptions {
  readonly logger?: Logger;
  readonly platform?: NodeJS.Platform;
  /** The process whose end releases the lock (default: this one). */
  readonly pid?: number;
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs the platform's inhibitor while `set(true)`, and ends it on `set(false)` or dispose. */
export class KeepAwake implements Disposable {
  private child: ChildProcess | undefined;
  private wanted = false;
  private warned = false;
  private readonly changeEmitter = new Emitter<boolean>();
  /** The inhibitor started (true) or ended (false). */
  readonly onChange: Event<boolean> = this.changeEmitter.event;
  private readonly logger: Logger;

  constructor(private readonly o: KeepAwakeOptions = {}) {
    this.logger = o.logger ?? nullLogger;
  }

  /** True while the inhibitor runs. */
  get active(): boolean {
    return this.child !== undefined;
  }

  set(wanted: boolean): void {
    this.wanted = wanted;
    if (wanted && !this.child) this.start();
    else if (!wanted && this.child) this.stop();
  }

  private start(): void {
    const env = this.o.env ?? process.env;
    const plan = inhibitorFor(this.o.platform ?? process.platform, this.o.pid ?? process.pid);
    const bin = plan && which(plan.command, env.PATH ?? '');
    if (!plan || !bin) {
      if (!this.warned) this.logger.warn(`keep-awake: ${plan ? `${plan.command} was not found` : 'no way to keep this system awake is known'}; the computer may sleep while a session works`);
      this.warned = true;
      return;
    }
    // Its own process group (POSIX), so ending it also ends what it runs (tail).
    const child = spawn(bin, [...plan.args], { env, stdio: 'ignore', detached: process.platform !== 'win32', windowsHide: true });
    this.child = child;
    child.on('error', (e) => {
      this.logger.warn(`keep-awake: ${plan.command} failed: ${(e as NodeJS.ErrnoException).code ?? e.message}`);
      this.exited(child);
    });
    child.on('exit', () => this.exited(child));
    child.unref();
    this.logger.info(`keep-awake: on (${plan.command})`);
    this.changeEmitter.fire(true);
  }

  private stop(): void {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    try {
      if (process.platform !== 'win32' && child.pid) process.kill(-child.pid, 'SIGTERM');
      else child.kill();
    } catch {
      child.kill();
    }
    this.logger.info('keep-awake: off');
    this.changeEmitter.fire(false);
  }

  private exited(child: ChildProcess): void {
    if (this.child !== child) return;
    // It ended by itself (refused, killed by someone): not restarted, so a broken tool cannot spin.
    this.child = undefined;
    this.logger.warn('keep-awake: the inhibitor ended by itself; the computer may sleep');
    this.changeEmitter.fire(false);
  }

  dispose(): void {
    this.set(false);
    this.changeEmitter.dispose();
  }
}

/** Busy enough to keep the computer awake for. */
export function keepsAwake(status: SessionInfo['status']): boolean {
  return status === 'working' || status === 'waiting';
}

/**
 * Wires KeepAwake to a host: on while some session is working or waiting for an approval and a device is
 * paired; off otherwise. Returns what to dispose (which also ends the inhibitor).
 */
export function keepHostAwake(
  host: {
    readonly sessions: { list(): { info(): SessionInfo }[]; onDidAdd: Event<{ onInfo: Event<SessionInfo> }>; onDidRemove: Event<unknown> };
    pairedDevices(): unknown[];
    onDevicesChanged: Event<void>;
  },
  keepAwake: KeepAwake,
): Disposable {
  const update = () => keepAwake.set(host.pairedDevices().length > 0 && host.sessions.list().some((s) => keepsAwake(s.info().status)));
  const subs: Disposable[] = [
    host.sessions.onDidAdd((s) => {
      subs.push(s.onInfo(update));
      update();
    }),
    host.sessions.onDidRemove(update),
    host.onDevicesChanged(update),
  ];
  update();
  return {
    dispose: () => {
      for (const s of subs.splice(0)) s.dispose();
      keepAwake.dispose();
    },
  };
}
