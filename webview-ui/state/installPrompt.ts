// "Install Walkie" where the browser offers it (Chrome/Edge/Android: the `beforeinstallprompt` event, kept
// until the user asks); iOS has no such event — its Add to Home Screen hint is in NotifySettings, since
// that is where iOS requires it (push works only for an installed app there).
interface InstallEvent extends Event {
  prompt(): Promise<void>;
  userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

let deferred: InstallEvent | undefined;
const listeners = new Set<() => void>();

export function watchInstallPrompt(): void {
  window.addEventListener('beforeinstallprompt', (e) => {
    e.preventDefault();
    deferred = e as InstallEvent;
    for (const l of listeners) l();
  });
  window.addEventListener('appinstalled', () => {
    deferred = undefined;
    for (const l of listeners) l();
  });
}

export function canInstall(): boolean {
  return deferred !== undefined;
}

export function onInstallChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Shows the browser's install dialog (from a tap). */
export async function install(): Promise<void> {
  const e = deferred;
  deferred = undefined;
  for (const l of listeners) l();
  if (!e) return;
  await e.prompt();
  await e.userChoice;
}
