// Benchmark: the secret scanner against secretlint's recommended preset, on the corpus in
// test/fixtures/secrets (real-shaped fake secrets and harmless look-alikes; see its README).
//   before          the hand-written scanner before issue 9 (bench/baseline/secretScannerBefore.ts)
//   secretlint      @secretlint/core + @secretlint/secretlint-rule-preset-recommend; every reported range
//                   is replaced by "[redacted]". Async only (lintSource returns a Promise) and Node only.
//   now             redactSecrets (src/core/redaction), synchronous and pure
//   before+secretlint / now+secretlint   the hand-written scanner, then secretlint on its output
// For each: secrets found (gone from the output), false alarms (look-alikes changed), misses, and the
// per-text scan time (each text's best of ROUNDS, then the median and p99 over the corpus, in µs).
import { lintSource } from '@secretlint/core';
import { creator as recommendedPreset } from '@secretlint/secretlint-rule-preset-recommend';
import type { SecretLintCoreConfig } from '@secretlint/types';
import { redactSecrets } from '../src/core/redaction/secretScanner';
import { loadSecretCorpus, scoreScanner } from '../test/fixtures/secrets/secretCorpus';
import { redactSecrets as redactSecretsBefore } from './baseline/secretScannerBefore';

const ROUNDS = 5;
const CONFIG: SecretLintCoreConfig = { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommendedPreset }] };

async function secretlintRedact(text: string): Promise<string> {
  const result = await lintSource({
    source: { filePath: 'chat.txt', content: text, ext: '.txt', contentType: 'text' },
    options: { config: CONFIG, noPhysicFilePath: true },
  });
  let out = text;
  // Right to left, so earlier offsets stay valid; overlapping ranges merge into the earlier one.
  const ranges = result.messages.map((m) => m.range).sort((a, b) => b[0] - a[0]);
  let floor = Infinity;
  for (const [start, end] of ranges) {
    const stop = Math.min(end, floor);
    if (stop > start) out = out.slice(0, start) + '[redacted]' + out.slice(stop);
    floor = Math.min(floor, start);
  }
  return out;
}

type Scanner = (text: string) => string | Promise<string>;
const quantile = (xs: number[], q: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!; };
const round = (x: number, digits = 1) => Number(x.toFixed(digits));

export async function run(): Promise<Record<string, unknown>> {
  const entries = loadSecretCorpus();
  const scanners: Record<string, Scanner> = {
    before: (t) => redactSecretsBefore(t).text,
    secretlint: secretlintRedact,
    now: (t) => redactSecrets(t).text,
    'before+secretlint': (t) => secretlintRedact(redactSecretsBefore(t).text),
    'now+secretlint': (t) => secretlintRedact(redactSecrets(t).text),
  };
  const figures: Record<string, unknown> = {};
  const rows: string[] = [];
  for (const [name, scan] of Object.entries(scanners)) {
    const outputs = new Map<string, string>();
    const best = entries.map(() => Infinity);
    for (let round_ = 0; round_ < ROUNDS; round_++) {
      for (const [i, e] of entries.entries()) {
        const t0 = performance.now();
        const out = await scan(e.text);
        best[i] = Math.min(best[i]!, (performance.now() - t0) * 1000);
        outputs.set(e.text, out);
      }
    }
    const s = scoreScanner(entries, (t) => outputs.get(t)!);
    figures[name] = {
      found: s.found, false_alarms: s.falseAlarms.length, missed: s.missed.length,
      median_us: round(quantile(best, 0.5)), p99_us: round(quantile(best, 0.99)),
    };
    rows.push(`${name.padEnd(18)} ${String(s.found).padStart(5)} ${String(s.falseAlarms.length).padStart(6)} ${String(s.missed.length).padStart(6)} ${round(quantile(best, 0.5)).toFixed(1).padStart(9)} ${round(quantile(best, 0.99)).toFixed(1).padStart(9)}`);
  }
  const positives = entries.filter((e) => e.expected === 'secret').length;
  console.log(`secret corpus: ${positives} secrets, ${entries.length - positives} look-alikes`);
  console.log(`${'scanner'.padEnd(18)} ${'found'.padStart(5)} ${'f.alarm'.padStart(6)} ${'missed'.padStart(6)} ${'median µs'.padStart(9)} ${'p99 µs'.padStart(9)}`);
  for (const r of rows) console.log(r);
  return { secret_scanner: { corpus: { secrets: positives, look_alikes: entries.length - positives }, ...figures } };
}
