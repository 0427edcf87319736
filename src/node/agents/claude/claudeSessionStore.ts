// Claude Code's own session store, read to offer past sessions for `--resume`: one JSONL transcript per
// session in `<config>/projects/<slug>/<session id>.jsonl`, where <config> is $CLAUDE_CONFIG_DIR or
// ~/.claude and <slug> is the working folder with every character other than a letter or digit replaced by
// "-" (measured on 2.1.330: /tmp/walkie-cc-proj-Gh → -tmp-walkie-cc-proj-Gh). `--resume <id>` keeps the id
// and appends to the same file (measured). Only the first typed prompt is read, as the title; files are
// untrusted text.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PastSession } from '../../../core/wire/protocol';
import { LIMITS } from '../../../core/wire/protocol';
import { sanitizePrompt } from '../../terminal/terminalInput';

/** Claude Code's session ids are UUIDs; nothing else is passed to `--resume` (it could read as a flag). */
export const CLAUDE_SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Bytes read from the start of a transcript to find its first prompt. */
const HEAD_BYTES = 256 * 1024;

export function claudeProjectDir(cwd: string, env: NodeJS.ProcessEnv): string {
  const config = env.CLAUDE_CONFIG_DIR || path.join(env.HOME || os.homedir(), '.claude');
  return path.join(config, 'projects', cwd.replace(/[^a-zA-Z0-9]/g, '-'));
}

/** The transcript of past session `id` of `cwd`, if there is one (the id must be a session id). */
export function claudeTranscriptOf(cwd: string, id: string, env: NodeJS.ProcessEnv): string | undefined {
  if (!CLAUDE_SESSION_ID.test(id)) return undefined;
  const file = path.join(claudeProjectDir(cwd, env), `${id}.jsonl`);
  return fs.existsSync(file) ? file : undefined;
}

/** The past sessions of `cwd`, newest first (at most `max`). A missing store is an empty list. */
export async function claudePastSessions(cwd: string, env: NodeJS.ProcessEnv, max = 50): Promise<PastSession[]> {
  const dir = claudeProjectDir(cwd, env);
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch {
    return [];
  }
  const found: PastSession[] = [];
  for (const name of names) {
    const id = name.endsWith('.jsonl') ? name.slice(0, -6) : '';
    if (!CLAUDE_SESSION_ID.test(id)) continue;
    try {
      const file = path.join(dir, name);
      const st = await fs.promises.lstat(file);
      if (!st.isFile()) continue;
      const title = await firstPrompt(file);
      // A session with no typed prompt (opened and closed) has nothing to resume.
      if (title === undefined) continue;
      found.push({ id, title, lastActivity: Math.floor(st.mtimeMs) });
    } catch {
      // Unreadable: skipped.
    }
  }
  return found.sort((a, b) => b.lastActivity - a.lastActivity).slice(0, max);
}

async function firstPrompt(file: string): Promise<string | undefined> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
    for (const line of buf.subarray(0, bytesRead).toString('utf8').split('\n')) {
      if (!line.includes('"user"')) continue;
      try {
        const rec = JSON.parse(line) as { type?: unknown; isMeta?: unknown; message?: { content?: unknown } };
        const content = rec.message?.content;
        if (rec.type !== 'user' || rec.isMeta === true || typeof content !== 'string') continue;
        const text = sanitizePrompt(content).replace(/\s+/g, ' ').trim();
        if (!text || text.startsWith('<')) continue;
        return text.length > LIMITS.name * 2 ? `${text.slice(0, LIMITS.name * 2 - 1)}…` : text;
      } catch {
        // A partial or foreign line.
      }
    }
    return undefined;
  } finally {
    await fh.close();
  }
}
