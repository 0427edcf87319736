// Benchmark: the agent side of the gate.
//   hook_command_node_ms   what a Node *command* hook would cost per tool call (spawn `node -e`, read the hook
//                          JSON on stdin, print an allow answer, exit) — the cost Walkie's HTTP hooks avoid;
//                          compare it with the approval round trip measured in the same run.
//   pty_throughput         a child printing 50 MB through PtyProcess vs bare node-pty (MB/s, medians of 3).
//   transcript_to_chat_ms  a line appended to a transcript file → its ChatLog event (TranscriptTailer with
//                          fs.watch → TranscriptReader → ChatLog).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as pty from 'node-pty';
import { ChatLog } from '../src/core/host/chatLog';
import { systemClock } from '../src/core/base/clock';
import { TranscriptReader } from '../src/node/agents/claude/transcript';
import { PtyProcess } from '../src/node/terminal/ptyProcess';
import { TranscriptTailer } from '../src/node/sessions/transcriptTailer';

const HOOK_RUNS = 30;
const PTY_BYTES = 50 * 1024 * 1024;
const PTY_RUNS = 3;
const TRANSCRIPT_RUNS = 40;

function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

const HOOK_INPUT = JSON.stringify({
  session_id: 'bench',
  transcript_path: '/tmp/bench.jsonl',
  cwd: '/tmp',
  permission_mode: 'default',
  hook_event_name: 'PreToolUse',
  tool_name: 'Bash',
  tool_input: { command: 'npm test', description: 'Run the tests' },
  tool_use_id: 'toolu_bench',
});
const ALLOW_HOOK = `let s='';process.stdin.on('data',d=>s+=d);process.stdin.on('end',()=>{JSON.parse(s);process.stdout.write(JSON.stringify({hookSpecificOutput:{hookEventName:'PreToolUse',permissionDecision:'allow',permissionDecisionReason:'ok'}}))})`;

export function oneCommandHook(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['-e', ALLOW_HOOK], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 || !out.includes('"allow"')) return reject(new Error('hook failed'));
      resolve(performance.now() - t0);
    });
    child.stdin.end(HOOK_INPUT);
  });
}

// The child writes PTY_BYTES with no newlines (so the line discipline adds nothing) and exits.
const PRINTER = `const b=Buffer.alloc(65536,120);let n=${PTY_BYTES}/65536;function w(){while(n>0){n--;if(!process.stdout.write(b))return process.stdout.once('drain',w)}}w()`;

/** MB/s from the first spawn to the last byte received; resolves shortly after the child exits. */
function ptyRun(wrapped: boolean): Promise<{ mbs: number; bytes: number }> {
  return new Promise((resolve) => {
    let bytes = 0;
    let last = 0;
    const t0 = performance.now();
    const onData = (d: string) => {
      bytes += d.length;
      last = performance.now();
    };
    // node-pty can deliver the last chunks just after the exit event: wait a little for them.
    const onExit = () => setTimeout(() => resolve({ mbs: bytes / (1024 * 1024) / ((last - t0) / 1000), bytes }), 200);
    if (wrapped) {
      const p = new PtyProcess({ command: process.execPath, args: ['-e', PRINTER], cwd: os.tmpdir(), env: process.env });
      p.onData(onData);
      p.onExit(onExit);
    } else {
      const p = pty.spawn(process.execPath, ['-e', PRINTER], { name: 'xterm-256color', cols: 120, rows: 40, cwd: os.tmpdir(), env: process.env as Record<string, string> });
      p.onData(onData);
      p.onExit(onExit);
    }
  });
}

async function transcriptLatencies(): Promise<number[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-bench-transcript-'));
  const file = path.join(dir, 'session.jsonl');
  fs.writeFileSync(file, '');
  const chat = new ChatLog({ clock: systemClock });
  const reader = new TranscriptReader({ cwd: dir });
  const tailer = new TranscriptTailer({ file, onLine: (l) => reader.feed(l).forEach((e) => chat.append(e)) });
  const times: number[] = [];
  // The tailer's watch and poll do not hold the process open; this does, while the bench waits on them.
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    for (let i = 0; i < TRANSCRIPT_RUNS; i++) {
      const line = JSON.stringify({ type: 'assistant', uuid: `u-${i}`, message: { role: 'assistant', content: [{ type: 'text', text: `answer ${i}` }] } }) + '\n';
      const t = await new Promise<number>((resolve) => {
        const sub = chat.onAppend(() => {
          sub.dispose();
          resolve(performance.now() - t0);
        });
        const t0 = performance.now();
        fs.appendFileSync(file, line);
      });
      times.push(t);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    clearInterval(keepAlive);
    tailer.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return times;
}

export async function run(): Promise<Record<string, unknown>> {
  await oneCommandHook(); // warm the file cache
  const hook: number[] = [];
  for (let i = 0; i < HOOK_RUNS; i++) hook.push(await oneCommandHook());

  const bare: number[] = [];
  const wrapped: number[] = [];
  let shortest = PTY_BYTES;
  for (let i = 0; i < PTY_RUNS; i++) {
    for (const [into, isWrapped] of [[bare, false], [wrapped, true]] as const) {
      const r = await ptyRun(isWrapped);
      into.push(r.mbs);
      shortest = Math.min(shortest, r.bytes);
    }
  }
  const bareMBs = quantile(bare, 0.5);
  const wrappedMBs = quantile(wrapped, 0.5);

  const transcript = await transcriptLatencies();
  return {
    hook_command_node_ms: { p50: round(quantile(hook, 0.5)), p90: round(quantile(hook, 0.9)), runs: HOOK_RUNS },
    pty_throughput: {
      bytes: PTY_BYTES,
      /** The fewest bytes any run received (node-pty may drop the tail when the child exits). */
      min_bytes_received: shortest,
      wrapped_mb_s: round(wrappedMBs, 1),
      bare_mb_s: round(bareMBs, 1),
      ratio: round(wrappedMBs / bareMBs, 3),
      runs: { wrapped: wrapped.map((x) => round(x, 1)), bare: bare.map((x) => round(x, 1)) },
    },
    transcript_to_chat_ms: { p50: round(quantile(transcript, 0.5)), p90: round(quantile(transcript, 0.9)), runs: TRANSCRIPT_RUNS },
  };
}
