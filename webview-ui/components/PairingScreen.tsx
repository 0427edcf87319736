// The pairing landing (the page opened from the QR code): name this device, run the pairing handshake,
// then show the short authentication string to compare with the one the computer shows. The device key is
// stored once the host has accepted the handshake; "They don't match" forgets it again at once.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Clock } from '../../src/core/base/clock';
import { CloseCode } from '../../src/core/wire/closeCodes';
import type { PairingOffer } from '../../src/core/pairing/pairingPayload';
import type { ChannelTransport, Paired } from '../transport/channelTransport';
import { Controller } from '../state/controller';
import { NEW_CODE_HINT } from './hostWords';
import type { CredentialStore } from '../transport/credentialStore';

export type PairingProblem = 'expired' | 'version' | 'invalid' | 'failed' | 'offline' | 'mismatch';

const PROBLEM_TEXT: Record<PairingProblem, string> = {
  expired: 'This pairing code has expired.',
  version: 'This pairing code comes from a different version of Walkie.',
  invalid: 'This link is not a valid Walkie pairing code.',
  failed: 'Pairing failed: the code may have been used already or have expired.',
  offline: 'Pairing failed: your computer is not connected. Keep Walkie running there and try again.',
  mismatch: 'Pairing cancelled: the words did not match. This device forgot the computer; remove it from the paired devices on the computer too.',
};

export function PairingError({ problem }: { problem: PairingProblem }) {
  return (
    <main class="page">
      <h1>Walkie</h1>
      <div class="error-box" role="alert" data-testid="pairing-error">
        <p>
          <strong>{PROBLEM_TEXT[problem]}</strong>
        </p>
        <p>{NEW_CODE_HINT}</p>
      </div>
    </main>
  );
}

function guessDeviceName(): string {
  const ua = navigator.userAgent;
  if (/iPhone/.test(ua)) return 'iPhone';
  if (/iPad/.test(ua)) return 'iPad';
  if (/Android/.test(ua)) return 'Android phone';
  return 'Browser';
}

interface Props {
  offer: PairingOffer;
  clock: Clock;
  credentials: CredentialStore;
  onDone: (controller: Controller, paired: Paired) => void;
}

type Step = { kind: 'name' } | { kind: 'pairing' } | { kind: 'sas'; paired: Paired } | { kind: 'problem'; problem: PairingProblem };

export function PairingScreen({ offer, clock, credentials, onDone }: Props) {
  const [step, setStep] = useState<Step>({ kind: 'name' });
  const [name, setName] = useState(guessDeviceName);
  const live = useRef<{ transport: ChannelTransport; controller: Controller } | undefined>(undefined);
  useEffect(() => () => live.current?.controller.dispose(), []);

  const pair = async () => {
    const deviceName = name.trim().slice(0, 64) || guessDeviceName();
    // The code may have expired while the page stood open; the host would refuse it anyway.
    if (clock.now() >= offer.expiresAt) {
      setStep({ kind: 'problem', problem: 'expired' });
      return;
    }
    setStep({ kind: 'pairing' });
    let transport: ChannelTransport;
    try {
      const { ChannelTransport } = await import('../transport/channelTransport');
      transport = await ChannelTransport.pair(offer, deviceName, clock);
    } catch {
      setStep({ kind: 'problem', problem: 'failed' });
      return;
    }
    // The controller subscribes now: the host's hello follows the handshake before the user confirms.
    const controller = new Controller(transport, clock);
    live.current = { transport, controller };
    let paired = false;
    transport.onPaired((p) => {
      paired = true;
      credentials.save(p.host);
      setStep({ kind: 'sas', paired: p });
    });
    transport.onState((s) => {
      // The one-time psk cannot be retried: the first failure before the handshake completes ends pairing.
      if (s.state === 'offline' && !paired) {
        live.current = undefined;
        controller.dispose();
        setStep({ kind: 'problem', problem: s.code === CloseCode.hostOffline ? 'offline' : 'failed' });
      }
    });
    transport.start();
  };

  if (step.kind === 'problem') return <PairingError problem={step.problem} />;

  return (
    <main class="page">
      <h1>Pair with Walkie</h1>
      {step.kind === 'name' && (
        <form
          class="pair-form"
          onSubmit={(e) => {
            e.preventDefault();
            void pair();
          }}
        >
          <p>This phone will be able to watch the agent on your computer, send it prompts and approve its commands.</p>
          <label for="device-name">Name this device</label>
          <input id="device-name" value={name} maxLength={64} autoComplete="off" onInput={(e) => setName(e.currentTarget.value)} />
          <button type="submit" class="btn btn-approve wide" data-testid="pair">
            Pair
          </button>
        </form>
      )}
      {step.kind === 'pairing' && (
        <p role="status">
          <span class="spinner" aria-hidden="true" /> Pairing…
        </p>
      )}
      {step.kind === 'sas' && (
        <div class="sas-step">
          <p>Check that your computer shows the same four words:</p>
          <p class="sas" data-testid="sas" aria-live="polite">
            {step.paired.sas}
          </p>
          <div class="decide-row">
            <button
              type="button"
              class="btn btn-deny"
              onClick={() => {
                credentials.forget(step.paired.host.hostId);
                void import('../transport/deviceKeys').then((k) => k.deleteSealedKey(step.paired.host.hostId)).catch(() => undefined);
                live.current?.controller.dispose();
                live.current = undefined;
                setStep({ kind: 'problem', problem: 'mismatch' });
              }}
            >
              They don’t match
            </button>
            <button
              type="button"
              class="btn btn-approve"
              onClick={() => {
                const current = live.current;
                live.current = undefined;
                if (current) onDone(current.controller, step.paired);
              }}
            >
              They match
            </button>
          </div>
        </div>
      )}
    </main>
  );
}
