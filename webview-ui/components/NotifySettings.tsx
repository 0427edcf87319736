// The phone's notification settings (issue 12), in the menu: turn Web Push on for this phone (or say why it
// cannot work here and offer ntfy), what the lock screen may show, and which events. Shown once the host
// has sent this device's settings (feature `notify`); an older host gets the in-page notifications only.
import { useEffect, useState } from 'preact/hooks';
import type { DeviceNotifySettings, LockScreenPrivacy, NotifyTarget } from '../../src/core/wire/notifySettings';
import type { Controller, NotifyConfig } from '../state/controller';
import { pushSupport, subscribePush, unsubscribePush } from '../transport/pushSubscription';

const SUPPORT_TEXT = {
  'ios-needs-install': 'On iPhone and iPad, notifications work once Walkie is on your Home Screen: tap Share, then “Add to Home Screen”, and open Walkie from there.',
  insecure: 'This page is plain http (same Wi-Fi), where phones allow no notifications. Use an ntfy topic below, or reach this computer through a tunnel or an https relay.',
  unsupported: 'This browser cannot receive push notifications. Use an ntfy topic below instead.',
} as const;

const PRIVACY_TEXT: Record<LockScreenPrivacy, string> = {
  private: 'Nothing but “approval waiting”',
  folder: 'The folder (default)',
  command: 'The folder and the command',
};

export function NotifySettings({ controller }: { controller: Controller }) {
  const [config, setConfig] = useState<NotifyConfig | undefined>(controller.notifyConfig);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [ntfyUrl, setNtfyUrl] = useState('');
  const [chatId, setChatId] = useState('');
  useEffect(() => {
    const sub = controller.onNotifyConfig((c) => {
      setConfig(c);
      setBusy(false);
    });
    return () => sub.dispose();
  }, [controller]);
  if (!config) return null;
  const { settings } = config;
  const support = pushSupport();
  const hasPush = settings.targets.some((t) => t.kind === 'webpush');
  const ntfy = settings.targets.find((t): t is Extract<NotifyTarget, { kind: 'ntfy' }> => t.kind === 'ntfy');
  const telegram = settings.targets.find((t): t is Extract<NotifyTarget, { kind: 'telegram' }> => t.kind === 'telegram');

  const save = (next: DeviceNotifySettings) => {
    setProblem(undefined);
    if (controller.setNotifySettings(next)) setBusy(true);
    else setProblem('Not connected: try again when online.');
  };
  const withTargets = (targets: NotifyTarget[]) => save({ ...settings, targets });

  const turnOnPush = async () => {
    if (!config.vapidPublicKey) return setProblem('This computer cannot send push notifications.');
    setBusy(true);
    try {
      const subscription = await subscribePush(config.vapidPublicKey);
      if (!subscription) {
        setBusy(false);
        return setProblem('Notifications are blocked for this site in the browser’s settings.');
      }
      withTargets([...settings.targets.filter((t) => t.kind !== 'webpush'), { kind: 'webpush', subscription }]);
    } catch {
      setBusy(false);
      setProblem('The browser could not subscribe to push notifications.');
    }
  };

  return (
    <section class="notify-settings" data-testid="notify-settings" aria-busy={busy}>
      <h2 class="menu-heading">Notifications</h2>
      {support === 'ok' ? (
        hasPush ? (
          <button type="button" class="menu-item" disabled={busy} onClick={() => void unsubscribePush().finally(() => withTargets(settings.targets.filter((t) => t.kind !== 'webpush')))}>
            Turn off notifications on this phone
          </button>
        ) : (
          <button type="button" class="menu-item" data-testid="push-on" disabled={busy} onClick={() => void turnOnPush()}>
            Notify this phone when the agent needs me
          </button>
        )
      ) : (
        <p class="menu-note" data-testid="push-unavailable">
          {SUPPORT_TEXT[support]}
        </p>
      )}
      <label class="menu-note">
        Lock screen shows{' '}
        <select value={settings.privacy} disabled={busy} onChange={(e) => save({ ...settings, privacy: e.currentTarget.value as LockScreenPrivacy })} data-testid="notify-privacy">
          {(Object.keys(PRIVACY_TEXT) as LockScreenPrivacy[]).map((p) => (
            <option key={p} value={p}>
              {PRIVACY_TEXT[p]}
            </option>
          ))}
        </select>
      </label>
      <label class="menu-note">
        <input type="checkbox" checked={settings.turnFinished} disabled={busy} onChange={(e) => save({ ...settings, turnFinished: e.currentTarget.checked })} /> When the agent finishes a turn
      </label>
      <label class="menu-note">
        <input type="checkbox" checked={settings.whenPresent} disabled={busy} onChange={(e) => save({ ...settings, whenPresent: e.currentTarget.checked })} /> Even while I am at the computer
      </label>
      {support !== 'ok' || ntfy ? (
        ntfy ? (
          <p class="menu-note">
            ntfy: {ntfy.topicUrl}{' '}
            <button type="button" class="link" onClick={() => withTargets(settings.targets.filter((t) => t !== ntfy))}>
              Remove
            </button>
          </p>
        ) : (
          <form
            class="menu-note"
            onSubmit={(e) => {
              e.preventDefault();
              const url = ntfyUrl.trim();
              if (!/^https?:\/\/[^\s]+\/[^\s/]+$/.test(url)) return setProblem('Give the full topic address, e.g. https://ntfy.sh/your-secret-topic');
              withTargets([...settings.targets, { kind: 'ntfy', topicUrl: url }]);
            }}
          >
            <label for="ntfy-topic">ntfy topic (notify-only: no command, no content)</label>
            <input id="ntfy-topic" type="url" placeholder="https://ntfy.sh/your-secret-topic" value={ntfyUrl} onInput={(e) => setNtfyUrl(e.currentTarget.value)} />
            <button type="submit" class="menu-item">
              Use ntfy
            </button>
          </form>
        )
      ) : null}
      {config.telegram &&
        (telegram ? (
          <p class="menu-note">
            Telegram chat {String(telegram.chatId)}{' '}
            <button type="button" class="link" onClick={() => withTargets(settings.targets.filter((t) => t !== telegram))}>
              Remove
            </button>
          </p>
        ) : (
          <form
            class="menu-note"
            onSubmit={(e) => {
              e.preventDefault();
              const id = chatId.trim();
              if (!/^-?\d{1,20}$|^@[A-Za-z0-9_]{5,32}$/.test(id)) return setProblem('A chat id is a number (ask your bot, e.g. with /start) or a @channel name.');
              withTargets([...settings.targets, { kind: 'telegram', chatId: /^-?\d+$/.test(id) ? Number(id) : id }]);
            }}
          >
            <label for="telegram-chat">Telegram chat (notify-only: no command, no content)</label>
            <input id="telegram-chat" inputMode="numeric" placeholder="123456789" value={chatId} onInput={(e) => setChatId(e.currentTarget.value)} />
            <button type="submit" class="menu-item" data-testid="telegram-on">
              Use Telegram
            </button>
          </form>
        ))}
      {problem && (
        <p class="menu-note warn" role="alert">
          {problem}
        </p>
      )}
    </section>
  );
}
