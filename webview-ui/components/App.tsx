// The screens and the moves between them: the VS Code panel goes straight to the chat; the phone shows
// the pairing landing (when opened from a QR code), the chat of the host it paired with, or a welcome
// page that explains how to pair.
import { useEffect, useState } from 'preact/hooks';
import { systemClock } from '../../src/core/base/clock';
import type { Logger } from '../../src/core/base/logger';
import type { PairingOffer } from '../../src/core/pairing/pairingPayload';
import { Controller } from '../state/controller';
import type { CredentialStore, StoredHost } from '../transport/credentialStore';
import { DeferredTransport } from '../transport/deferredTransport';
import { notificationsNeedPermission, Notifier, requestNotificationPermission } from '../state/notifier';
import { AppUpdate } from './AppUpdate';
import { NotifySettings } from './NotifySettings';
import { canInstall, install, onInstallChange } from '../state/installPrompt';
import { applyOpenRequest, parseOpenRequest, type OpenRequest } from '../state/openRequests';
import { ChatScreen } from './ChatScreen';
import { PairingError, PairingScreen, type PairingProblem } from './PairingScreen';

export type Screen =
  | { kind: 'panel'; controller: Controller }
  | { kind: 'phone'; controller: Controller; host: StoredHost }
  | { kind: 'pair'; offer: PairingOffer }
  | { kind: 'pair-error'; problem: PairingProblem }
  | { kind: 'welcome' };

/** Reconnects to a host paired earlier (the channel is set up once the first screen is painted). */
export function resumeHost(host: StoredHost, credentials: CredentialStore, logger: Logger): Screen {
  const transport = new DeferredTransport(
    { state: 'connecting', since: systemClock.now() },
    async () => {
      const { ChannelTransport } = await import('../transport/channelTransport');
      const channel = await ChannelTransport.resume(host, credentials, systemClock, logger);
      // Kept for the next visit (this page's connection policy allows only the relays it started with).
      channel.onRelayMoved((relayUrl) => {
        const stored = credentials.get(host.hostId);
        if (stored) credentials.replace({ ...stored, relayUrl });
      });
      channel.start();
      return channel;
    },
    logger,
  );
  return { kind: 'phone', controller: new Controller(transport, systemClock), host };
}

function Welcome() {
  return (
    <main class="page">
      <h1>Walkie</h1>
      <p class="hint" data-testid="status">
        Not paired yet. Scan the QR code your computer shows to pair this device.
      </p>
      <p class="muted small">In VS Code, run “Walkie: Pair a Device”; in a terminal, “walkie host” shows one.</p>
    </main>
  );
}

function InstallButton() {
  const [available, setAvailable] = useState(canInstall());
  useEffect(() => onInstallChange(() => setAvailable(canInstall())), []);
  if (!available) return null;
  return (
    <button type="button" class="menu-item" data-testid="install" onClick={() => void install()}>
      Install Walkie on this phone
    </button>
  );
}

function NotifyButton() {
  const [ask, setAsk] = useState(notificationsNeedPermission());
  if (!ask) return null;
  return (
    <button type="button" class="menu-item" onClick={() => void requestNotificationPermission().then(() => setAsk(false))}>
      Turn on notifications
    </button>
  );
}

export function App({ initial, credentials, openRequest }: { initial: Screen; credentials: CredentialStore; openRequest?: OpenRequest }) {
  const [screen, setScreen] = useState<Screen>(initial);
  const controller = screen.kind === 'panel' || screen.kind === 'phone' ? screen.controller : undefined;

  useEffect(() => {
    if (!controller) return;
    // With Web Push on, the service worker notifies: the page does not add its own on top.
    const notifier = new Notifier(controller.store, document, screen.kind === 'phone', () => controller.notifyConfig?.settings.targets.some((t) => t.kind === 'webpush') === true);
    // A tapped notification: from the address (a new window) or from the service worker (an open one).
    const opened = screen.kind === 'phone' && openRequest ? [applyOpenRequest(controller, openRequest)] : [];
    const onWorkerMessage = (e: MessageEvent) => {
      const req = (e.data as { type?: unknown } | null)?.type === 'open' ? parseOpenRequest(e.data) : undefined;
      if (req && screen.kind === 'phone') opened.push(applyOpenRequest(controller, req));
    };
    if ('serviceWorker' in navigator) navigator.serviceWorker.addEventListener('message', onWorkerMessage);
    const hostId = screen.kind === 'phone' ? screen.host.hostId : undefined;
    // Stored when the host's name changes, not on every change of the store (each chat event is one).
    let named: string | undefined;
    const sub = controller.store.onChange((s) => {
      if (!hostId || !s.hostName || s.hostName === named) return;
      named = s.hostName;
      credentials.setHostName(hostId, s.hostName);
    });
    // A network change or the page coming back (unlocked phone, tab switched back, restored from the
    // back/forward cache) is when a dead link is most likely: retry or probe at once instead of waiting.
    const retry = () => {
      if (document.visibilityState !== 'hidden') controller.reconnect();
    };
    window.addEventListener('online', retry);
    window.addEventListener('pageshow', retry);
    document.addEventListener('visibilitychange', retry);
    return () => {
      notifier.dispose();
      sub.dispose();
      for (const d of opened) d.dispose();
      if ('serviceWorker' in navigator) navigator.serviceWorker.removeEventListener('message', onWorkerMessage);
      window.removeEventListener('online', retry);
      window.removeEventListener('pageshow', retry);
      document.removeEventListener('visibilitychange', retry);
    };
  }, [controller]);

  switch (screen.kind) {
    case 'welcome':
      return <Welcome />;
    case 'pair-error':
      return <PairingError problem={screen.problem} />;
    case 'pair':
      return (
        <PairingScreen
          offer={screen.offer}
          clock={systemClock}
          credentials={credentials}
          onDone={(c, paired) => setScreen({ kind: 'phone', controller: c, host: paired.host })}
        />
      );
    case 'panel':
      return <ChatScreen controller={screen.controller} now={systemClock.now} title="Walkie" />;
    case 'phone': {
      const { host } = screen;
      const menu = (
        <>
          <p class="menu-note">
            Paired with <strong>{host.hostName ?? 'your computer'}</strong> as “{host.deviceName}”.
          </p>
          <InstallButton />
          <NotifySettings controller={screen.controller} />
          {!screen.controller.notifyConfig && <NotifyButton />}
          <button
            type="button"
            class="menu-item danger"
            data-testid="forget"
            onClick={() => {
              if (!window.confirm(`Forget ${host.hostName ?? 'this computer'}? You will need to pair again.`)) return;
              credentials.forget(host.hostId);
              void import('../transport/deviceKeys').then((k) => k.deleteSealedKey(host.hostId)).catch(() => undefined);
              screen.controller.dispose();
              setScreen({ kind: 'welcome' });
            }}
          >
            Forget this host
          </button>
        </>
      );
      return (
        <>
          <AppUpdate controller={screen.controller} />
          <ChatScreen controller={screen.controller} now={systemClock.now} menu={menu} title={host.hostName ?? 'Walkie'} />
        </>
      );
    }
  }
}
