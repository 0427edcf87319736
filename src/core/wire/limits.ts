// Caps for every string and list in the app protocol, so one message can never grow without bound (the
// transport frame limit is larger). Re-exported by protocol.ts, where most code imports them from.

export const LIMITS = {
  text: 32 * 1024,
  summary: 300,
  detail: 48 * 1024,
  name: 64,
  id: 128,
} as const;
