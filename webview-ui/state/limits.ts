// The protocol limits the UI enforces before sending, copied from LIMITS in src/core/wire/protocol.ts so the
// first screen does not have to load (and build) the protocol's zod schemas. A browser test
// (test/browser/webuiChat.test.ts) checks that they still match.
export const MAX_PROMPT_CHARS = 32 * 1024; // LIMITS.text
export const MAX_DENY_MESSAGE_CHARS = 300 * 4; // LIMITS.summary * 4
