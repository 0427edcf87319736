// What the phone says after its host vouched for a web app (webview-ui/transport/appPin.ts): an update the
// host vouched for is ready (reload to run it), or the server offers an app the host did not vouch for.
import { useEffect, useState } from 'preact/hooks';
import type { Controller } from '../state/controller';
import { vouchForApp, type PinState } from '../transport/appPin';

export function AppUpdate({ controller }: { controller: Controller }) {
  const [state, setState] = useState<PinState | undefined>(undefined);
  useEffect(() => {
    const sub = controller.onAppVouched((sha256) => void vouchForApp(sha256).then(setState, () => setState('unavailable')));
    return () => sub.dispose();
  }, [controller]);
  if (state === 'ready') {
    return (
      <div class="app-update" role="status" data-testid="app-update">
        Walkie was updated on your computer.{' '}
        <button type="button" class="btn" onClick={() => location.reload()}>
          Reload
        </button>
      </div>
    );
  }
  if (state === 'mismatch' || state === 'corrupt') {
    return (
      <div class="app-update warn" role="alert" data-testid="app-mismatch">
        The server offers a version of this app that your computer did not vouch for. This phone keeps running the version it has.
      </div>
    );
  }
  return null;
}
