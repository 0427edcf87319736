// Makes a host message fit in one encrypted frame. The protocol caps text by characters, but a frame is
// bytes: 48 K characters of CJK text or emoji are well over 64 KiB in UTF-8. Rather than drop such a message
// (a phone would then never see that approval, or a chat event), its largest text is shortened, with a
// visible marker, until it fits — and an approval says it is not shown in full.
import { utf8Encode } from '../base/bytes';
import { encodeMessage, type HostMessage } from '../wire/protocol';
import { MAX_PLAINTEXT } from './secureChannel';

/** MAX_PLAINTEXT is already the payload of one frame; keep a small margin below it. */
export const FRAME_BUDGET = MAX_PLAINTEXT - 256;
const MARKER = '… [shortened to fit]';
const NOT_IN_FULL = 'too long to show in full';

export function fitToFrame(message: HostMessage, budget = FRAME_BUDGET): HostMessage {
  if (encodeMessage(message).length <= budget) return message;
  const m = structuredCloneJson(message);
  for (let round = 0; round < 64 && encodeMessage(m).length > budget; round++) {
    const slot = largestText(m);
    if (!slot || slot.get().length <= MARKER.length * 2) break;
    const text = slot.get();
    let keep = Math.floor(text.length / 2);
    // Do not cut a surrogate pair in half.
    const code = text.charCodeAt(keep - 1);
    if (code >= 0xd800 && code <= 0xdbff) keep--;
    slot.set(text.slice(0, keep) + MARKER);
  }
  if (m.type === 'approval' && !m.request.risk.reasons.includes(NOT_IN_FULL)) {
    const risk = m.request.risk;
    m.request.risk = { level: risk.level === 'low' ? 'medium' : risk.level, reasons: [...risk.reasons.slice(0, 7), NOT_IN_FULL] };
  }
  return m;
}

interface Slot {
  get(): string;
  set(v: string): void;
}

/** The longest shortenable text of a message: approval details, chat texts. */
function largestText(m: HostMessage): Slot | undefined {
  const slots: Slot[] = [];
  const field = <T extends object>(o: T, k: keyof T & string) => {
    if (typeof o[k] === 'string') slots.push({ get: () => o[k] as string, set: (v) => ((o as Record<string, unknown>)[k] = v) });
  };
  if (m.type === 'approval') {
    const d = m.request.detail;
    if (d.kind === 'command') field(d, 'command');
    else if (d.kind === 'write') field(d, 'content');
    else if (d.kind === 'other') field(d, 'input');
    else {
      for (const e of d.edits) {
        field(e, 'oldText');
        field(e, 'newText');
      }
    }
  } else if (m.type === 'chat' && 'text' in m.event) {
    field(m.event, 'text');
  } else if (m.type === 'schedules') {
    for (const s of m.listing.schedules) field(s, 'prompt');
    for (const r of m.listing.runs) field(r, 'result');
    for (const l of m.listing.loops) field(l, 'prompt');
  } else if (m.type === 'scheduleSaved') {
    field(m.schedule, 'prompt');
  } else if (m.type === 'chats') {
    for (const e of m.events) if ('text' in e.event) field(e.event, 'text');
  }
  let best: Slot | undefined;
  for (const s of slots) if (!best || utf8Length(s.get()) > utf8Length(best.get())) best = s;
  return best;
}

function utf8Length(s: string): number {
  return utf8Encode(s).length;
}

function structuredCloneJson<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
