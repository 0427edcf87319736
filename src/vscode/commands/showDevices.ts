import type { DevicesView } from '../webviews/devicesView';
import type { WalkieController } from '../controller/walkieController';
import { reportError } from './reportError';

/** Walkie: Show Devices — the pairing view (current QR code, paired devices, sessions) without a new code. */
export class ShowDevicesCommand {
  static readonly id = 'walkie.showDevices';
  readonly id = ShowDevicesCommand.id;

  constructor(
    private readonly controller: WalkieController,
    private readonly view: DevicesView,
  ) {}

  async execute(): Promise<void> {
    try {
      await this.controller.ensureHost();
      this.view.show();
    } catch (e) {
      reportError('could not start', e);
    }
  }
}
