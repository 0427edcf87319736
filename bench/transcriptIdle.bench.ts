// Benchmark: what an idle host's transcript tailer costs (issue 17: it polled twice a second and allocated
// 256 KiB each time). One TranscriptTailer with its default settings follows a transcript that does not
// change for IDLE_MS of real time; counted: file checks (fstat: one per wake-up), read-buffer allocations and
// their bytes. Then one line is appended, to show the watch still delivers it (and how fast).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TranscriptTailer } from '../src/node/sessions/transcriptTailer';

const IDLE_MS = 10_000;

export async function run(): Promise<Record<string, unknown>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walkie-bench-tail-'));
  const file = path.join(dir, 'session.jsonl');
  fs.writeFileSync(file, '{"type":"user"}\n'.repeat(100));
  const realFstat = fs.fstatSync;
  const realAlloc = Buffer.allocUnsafe;
  let checks = 0;
  let allocations = 0;
  let bytes = 0;
  fs.fstatSync = ((...a: Parameters<typeof fs.fstatSync>) => {
    checks++;
    return realFstat(...a);
  }) as typeof fs.fstatSync;
  Buffer.allocUnsafe = (size: number) => {
    allocations++;
    bytes += size;
    return realAlloc(size);
  };
  let lines = 0;
  let lastLineAt = 0;
  const tailer = new TranscriptTailer({ file, onLine: () => { lines++; lastLineAt = performance.now(); } });
  try {
    const start = { checks, allocations, bytes };
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const idle = { checks: checks - start.checks, allocations: allocations - start.allocations, bytes: bytes - start.bytes };
    const before = lines;
    const appendedAt = performance.now();
    fs.appendFileSync(file, '{"type":"assistant"}\n');
    const end = Date.now() + 5000;
    while (lines === before && Date.now() < end) await new Promise((r) => setTimeout(r, 2));
    if (lines === before) throw new Error('the appended line never arrived');
    const perMinute = (n: number) => Math.round((n * 60_000) / IDLE_MS);
    return {
      transcript_idle: {
        idle_s: IDLE_MS / 1000,
        checks_per_min: perMinute(idle.checks),
        buffer_allocations_per_min: perMinute(idle.allocations),
        allocated_kib_per_min: Math.round(perMinute(idle.bytes) / 1024),
        appended_line_ms: Number((lastLineAt - appendedAt).toFixed(1)),
      },
    };
  } finally {
    tailer.dispose();
    fs.fstatSync = realFstat;
    Buffer.allocUnsafe = realAlloc;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
