// Runs one tunnel tool for the host's port and keeps it running: started when the user enabled it,
// restarted (with backoff) when it dies, stopped with Walkie. Learns the public URL from the tool itself
// (TunnelProvider.readUrl) and says when it changes — a quick tunnel gets a new name at every start.
import { spawn, type ChildProcess } from 'node:child_process';
import { backoffDelay, type Backoff } from '../../core/base/backoff';
import type { Clock, TimerHandle } from '../../core/base/clock';
import { Emitter, type Event } from '../../core/base/event';
import type { Logger } from '../../core/base/logger';
import type { TunnelProvider } from './tunnelProvider';

export type TunnelState =
  | { readonly state: 'starting' }
  | { readonly state: 'up'; readonly url: string }
  | { readonly state: 'restarting'; readonly inMs: number; readonly reason: string }
  /** Will not retry: the tool is missing, or Walkie stopped it. */
  | { readonly state: 'stopped'; readonly reason: string };

export interface TunnelSupervisorOptions {
  readonly provider: TunnelProvider;
  readonly port: number;
  readonly env: NodeJS.ProcessEnv;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly backoff?: Backoff;
  /** How often the URL is asked for while the tool starts. Default 500 ms. */
  readonly pollMs?: number;
  /** A tunnel up this long resets the backoff. Default 30 s. */
  readonly stableMs?: number;
}

/** Output kept from the tool (ngrok names its API address in it), at most this much. */
const MAX_OUTPUT = 64 * 1024;

export class TunnelSupervisor {
  private readonly stateEmitter = new Emitter<TunnelState>((e) => this.o.logger.error(`tunnel: a state listener failed: ${errorText(e)}`));
  readonly onState: Event<TunnelState> = this.stateEmitter.event;
  private current: TunnelState = { state: 'starting' };
  private child: ChildProcess | undefined;
  private output = '';
  private timer: TimerHandle | undefined;
  private attempt = 0;
  private upSince = 0;
  private stopping = false;
  private generation = 0;

  constructor(private readonly o: TunnelSupervisorOptions) {}

  get state(): TunnelState {
    return this.current;
  }

  /** The public URL while the tunnel is up. */
  get url(): string | undefined {
    return this.current.state === 'up' ? this.current.url : undefined;
  }

  start(): void {
    if (this.stopping || this.child) return;
    void this.launch();
  }

  /** Stops the tool for good (SIGTERM, then SIGKILL after 3 s). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.clearTimer();
    const child = this.child;
    this.setState({ state: 'stopped', reason: 'stopped by Walkie' });
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
    this.stateEmitter.dispose();
  }

  private async launch(): Promise<void> {
    const gen = ++this.generation;
    this.setState({ state: 'starting' });
    let launch;
    try {
      launch = await this.o.provider.launch(this.o.port);
    } catch (e) {
      return this.retry(gen, `could not prepare ${this.o.provider.displayName}: ${errorText(e)}`);
    }
    if (this.stopping || gen !== this.generation) return;
    this.output = '';
    const child = spawn(launch.command, [...launch.args], { env: this.o.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const keep = (d: Buffer) => (this.output = (this.output + d.toString('utf8')).slice(-MAX_OUTPUT));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('error', (e: NodeJS.ErrnoException) => {
      if (this.child !== child) return;
      this.child = undefined;
      if (e.code === 'ENOENT') {
        // Missing tool: retrying cannot help. Say what to install.
        this.setState({ state: 'stopped', reason: `${launch.command} is not installed (not found on PATH)` });
        return;
      }
      this.retry(gen, `${launch.command} could not start: ${e.code ?? e.message}`);
    });
    child.once('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      if (this.stopping) return;
      this.retry(gen, `${launch.command} exited (${signal ?? `code ${code}`})`);
    });
    this.poll(gen);
  }

  private poll(gen: number): void {
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = undefined;
      if (gen !== this.generation || this.stopping || !this.child) return;
      this.o.provider
        .readUrl(this.o.port, this.output)
        .catch(() => undefined)
        .then((url) => {
          if (gen !== this.generation || this.stopping || !this.child) return;
          if (url && (this.current.state !== 'up' || this.current.url !== url)) {
            this.upSince = this.o.clock.now();
            this.o.logger.info(`tunnel: ${this.o.provider.displayName} is up`);
            this.setState({ state: 'up', url });
          }
          if (this.current.state === 'up' && this.o.clock.now() - this.upSince >= (this.o.stableMs ?? 30_000)) this.attempt = 0;
          // Keep asking now and then: some tools change their URL without exiting.
          this.poll(gen);
        });
    }, this.current.state === 'up' ? 5000 : (this.o.pollMs ?? 500));
  }

  private retry(gen: number, reason: string): void {
    if (this.stopping || gen !== this.generation) return;
    this.clearTimer();
    const inMs = backoffDelay(this.attempt++, this.o.backoff ?? { baseMs: 1000, capMs: 30_000 });
    this.o.logger.warn(`tunnel: ${reason}; restarting in ${inMs} ms`);
    this.setState({ state: 'restarting', inMs, reason });
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = undefined;
      void this.launch();
    }, inMs);
  }

  private clearTimer(): void {
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private setState(s: TunnelState): void {
    this.current = s;
    this.stateEmitter.fire(s);
  }
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
