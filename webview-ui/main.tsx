// The web UI's entry point: the same bundle runs on the phone (served by the relay on its origin) and in
// the VS Code panel (a webview, where `acquireVsCodeApi` exists). It picks the first screen and its
// transport, renders into #app, and marks `walkie:first-render` once that screen has been painted (the
// mark bench/webui.bench.ts reads). Transports (zod schemas, Noise) and the markdown renderer load right
// after that first paint (afterPaint.ts, deferredTransport.ts, markdownLoader.ts).
import { render } from 'preact';
import { systemClock } from '../src/core/base/clock';
import type { Logger } from '../src/core/base/logger';
import { firstPaintDone } from './render/afterPaint';
import { App, resumeHost, type Screen } from './components/App';
import type { PairingProblem } from './components/PairingScreen';
import { Controller } from './state/controller';
import { CredentialStore } from './transport/credentialStore';
import { DeferredTransport } from './transport/deferredTransport';
import { loadMarkdown } from './render/markdownLoader';
import { registerAppPin } from './transport/appPin';
import { restrictConnections } from './transport/connectPolicy';
import { openRequestFromUrl } from './state/openRequests';
import { watchInstallPrompt } from './state/installPrompt';
import './styles.css';

/** Warnings and errors only; callers pass redacted reasons, never message contents. */
const consoleLogger: Logger = {
  trace() {},
  debug() {},
  info() {},
  warn: (m) => console.warn(`walkie: ${m}`),
  error: (m) => console.error(`walkie: ${m}`),
};

/** localStorage, or a memory stand-in where the browser refuses it (private modes, some file:// pages). */
function storage(): Storage {
  try {
    const s = window.localStorage;
    s.getItem('walkie.probe');
    return s;
  } catch {
    const m = new Map<string, string>();
    return {
      get length() {
        return m.size;
      },
      clear: () => m.clear(),
      getItem: (k) => m.get(k) ?? null,
      key: (i) => [...m.keys()][i] ?? null,
      removeItem: (k) => void m.delete(k),
      setItem: (k, v) => void m.set(k, String(v)),
    };
  }
}

/** The VS Code panel: the extension answers the `ready` message with `hello` and the pending state. */
function panelScreen(): Screen | undefined {
  const api = typeof window.acquireVsCodeApi === 'function' ? window.acquireVsCodeApi() : undefined;
  if (!api) return undefined;
  const transport = new DeferredTransport(
    { state: 'online', since: systemClock.now() },
    async () => {
      const { PostMessageTransport } = await import('./transport/postMessageTransport');
      const t = new PostMessageTransport(api, window, systemClock.now(), consoleLogger);
      // The reply comes as a later window event, after this transport has been attached.
      t.ready();
      return t;
    },
    consoleLogger,
  );
  return { kind: 'panel', controller: new Controller(transport, systemClock) };
}

/** The pairing landing: parses the offer in the URL fragment. */
async function pairingScreen(url: string): Promise<Screen> {
  const { PairingError, parsePairingUrl } = await import('../src/core/pairing/pairingPayload');
  try {
    const offer = parsePairingUrl(url, systemClock.now());
    restrictConnections([offer.relayUrl]);
    return { kind: 'pair', offer };
  } catch (e) {
    restrictConnections([]);
    const code = e instanceof PairingError ? e.code : undefined;
    consoleLogger.warn(`pairing link refused (${code ?? 'unknown'})`);
    const problem: PairingProblem = code === 'PAIRING_ERR_EXPIRED' ? 'expired' : code === 'PAIRING_ERR_VERSION' ? 'version' : 'invalid';
    return { kind: 'pair-error', problem };
  }
}

async function boot(credentials: CredentialStore): Promise<Screen> {
  const panel = panelScreen();
  if (panel) return panel;
  // The phone: pin the app on this origin from the first visit (the pairing one included).
  registerAppPin();
  watchInstallPrompt();
  if (location.hash.length > 1) {
    const url = location.href;
    // Security: the fragment holds the offer's one-time psk. Take it out of the address bar and the
    // session history at once, whether or not it parses, so it is not left behind on the phone.
    history.replaceState(null, '', location.pathname + location.search);
    return pairingScreen(url);
  }
  restrictConnections(credentials.all().map((h) => h.relayUrl));
  const host = credentials.current();
  return host ? resumeHost(host, credentials, consoleLogger) : { kind: 'welcome' };
}

const root = document.getElementById('app');
if (root) {
  const credentials = new CredentialStore(storage());
  void boot(credentials).then((screen) => {
    render(<App initial={screen} credentials={credentials} openRequest={openRequestFromUrl(location, history)} />, root);
    requestAnimationFrame(() =>
      setTimeout(() => {
        performance.mark('walkie:first-render');
        firstPaintDone();
        void loadMarkdown();
      }, 0),
    );
  });
}
