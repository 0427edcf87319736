// The messages between the extension and its webviews, one readonly `type`-discriminated union per
// direction. The Walkie panel (the phone's web UI) speaks `host` / `ready` / `device` today; the pairing
// and device messages are understood by the pairing view (devicesView.ts) and are the shapes the web UI
// can adopt to show pairing and devices inside the panel itself.
import * as z from 'zod';
import { DeviceMessageSchema, LIMITS, type HostMessage, type SessionStatus } from '../../core/wire/protocol';

export interface PanelPairing {
  /** The single-use pairing URL (secret until used: shown only in this window). */
  readonly url: string;
  /** The QR code of `url`, as a standalone SVG document. */
  readonly qrSvg: string;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
  /** Where the phone must be for the link to open, and a warning when it probably cannot. */
  readonly route?: { readonly label: string; readonly warning?: string };
}

export interface PanelDevice {
  readonly id: string;
  readonly name: string;
  readonly pairedAt: number;
  /** Milliseconds since the epoch; a hint, saved at most once a minute. */
  readonly lastSeen: number;
  readonly connected: boolean;
}

export interface PanelSession {
  readonly id: string;
  readonly title: string;
  readonly status: SessionStatus;
}

/** Extension → webview. */
export type ToPanelMessage =
  | { readonly type: 'host'; readonly message: HostMessage }
  | { readonly type: 'pairing'; readonly pairing: PanelPairing | null }
  | { readonly type: 'devices'; readonly devices: readonly PanelDevice[]; readonly sessions: readonly PanelSession[]; readonly running: boolean }
  | { readonly type: 'paired'; readonly device: { readonly id: string; readonly name: string }; readonly sas: string };

/** Webview → extension. Untrusted: parsed with this schema, junk dropped. */
export const FromPanelMessageSchema = z.discriminatedUnion('type', [
  /** The page is listening: (re)send `hello` and the current state. */
  z.strictObject({ type: z.literal('ready') }),
  /** A protocol message, exactly as a phone would send it through the encrypted channel. */
  z.strictObject({ type: z.literal('device'), message: DeviceMessageSchema }),
  /** Make a new pairing code (the previous one stops working). */
  z.strictObject({ type: z.literal('newPairing') }),
  z.strictObject({ type: z.literal('cancelPairing') }),
  /** Copy the current pairing link to the clipboard. */
  z.strictObject({ type: z.literal('copyLink') }),
  z.strictObject({ type: z.literal('revoke'), deviceId: z.string().regex(/^[0-9a-f]{16}$/) }),
  z.strictObject({ type: z.literal('showPanel') }),
  /** The pairing view's "Choose how the phone connects…": opens the reach settings (issue 11). */
  z.strictObject({ type: z.literal('chooseRoute') }),
]);
export type FromPanelMessage = z.infer<typeof FromPanelMessageSchema>;

/** Parses one webview message; the reason names paths and issue codes only, never values. */
export function parsePanelMessage(data: unknown): { ok: true; value: FromPanelMessage } | { ok: false; reason: string } {
  const r = FromPanelMessageSchema.safeParse(data);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, reason: r.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.code}`).join('; ').slice(0, LIMITS.summary) };
}
