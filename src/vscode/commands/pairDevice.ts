import type { DevicesView } from '../webviews/devicesView';
import type { PairingState, WalkieController } from '../controller/walkieController';
import { reportError } from './reportError';

/** Walkie: Pair a Device — makes a fresh single-use pairing code and shows its QR code. */
export class PairDeviceCommand {
  static readonly id = 'walkie.pairDevice';
  readonly id = PairDeviceCommand.id;

  constructor(
    private readonly controller: WalkieController,
    private readonly view: DevicesView,
  ) {}

  async execute(): Promise<PairingState | undefined> {
    try {
      const pairing = await this.controller.newPairing();
      this.view.show();
      return pairing;
    } catch (e) {
      return reportError('could not make a pairing code', e);
    }
  }
}
