// What a device stores about notifications: its privacy setting, whether it wants pushes while the user is
// at the computer, which events it wants, and where pushes go (a Web Push subscription, an ntfy topic, a
// Telegram chat). Shared by the host (which sends), the registry (which will keep it with the device) and
// the phone (which registers it over the encrypted channel). Strict zod schemas: this arrives from a device.
import * as z from 'zod';

/**
 * What a lock screen may show (lockScreenText.ts decides the words):
 *  - `folder`  (the default): "Walkie: approval waiting in <folder>" — never the command, never file contents;
 *  - `command` (opt-in): also the one-line command summary, through the secret scanner and capped;
 *  - `private`: not even the folder ("Walkie: approval waiting"). Forced for ntfy and Telegram, whose
 *    servers read the text.
 */
export const LockScreenPrivacySchema = z.enum(['private', 'folder', 'command']);
export type LockScreenPrivacy = z.infer<typeof LockScreenPrivacySchema>;

const B64U = /^[A-Za-z0-9_-]+$/;

/** `PushSubscription.toJSON()` as a browser gives it (W3C Push API): the endpoint and the two RFC 8291 keys. */
export const PushSubscriptionSchema = z.object({
  endpoint: z.url({ protocol: /^https?$/ }).max(2048),
  /** The browser's P-256 public key, uncompressed point, base64url (65 bytes → 87 characters). */
  keys: z.object({
    p256dh: z.string().length(87).regex(B64U),
    /** The 16-byte authentication secret, base64url (22 characters). */
    auth: z.string().length(22).regex(B64U),
  }),
  expirationTime: z.number().nullable().optional(),
});
export type PushSubscription = z.infer<typeof PushSubscriptionSchema>;

export const NotifyTargetSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('webpush'), subscription: PushSubscriptionSchema }),
  /** A topic URL on ntfy.sh or the user's own server; `token` for a protected topic (an ntfy access token). */
  z.strictObject({ kind: z.literal('ntfy'), topicUrl: z.url({ protocol: /^https?$/ }).max(2048), token: z.string().max(256).optional() }),
  /** A chat with the user's own bot (the bot token is a host setting, not the device's). */
  z.strictObject({ kind: z.literal('telegram'), chatId: z.union([z.number().int(), z.string().min(1).max(64)]) }),
]);
export type NotifyTarget = z.infer<typeof NotifyTargetSchema>;

export const DeviceNotifySettingsSchema = z.strictObject({
  privacy: LockScreenPrivacySchema.default('folder'),
  /** Push even while the user is at the computer (a focused VS Code window, a typing terminal). */
  whenPresent: z.boolean().default(false),
  turnFinished: z.boolean().default(true),
  sessionEnded: z.boolean().default(true),
  targets: z.array(NotifyTargetSchema).max(4).default([]),
});
export type DeviceNotifySettings = z.infer<typeof DeviceNotifySettingsSchema>;

export const DEFAULT_NOTIFY_SETTINGS: DeviceNotifySettings = Object.freeze(DeviceNotifySettingsSchema.parse({}));
