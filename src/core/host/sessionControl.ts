// What a host lets devices do with its sessions beyond using them (feature `sessions`, docs/protocol.md):
// list the agent's past sessions in a folder, start or resume one in an allowed folder, stop one, clear an
// ended one off the list. HostService speaks the protocol; the SessionLauncher (src/node/sessions/) is the
// implementation that holds the allow-list, the agent adapter and the SessionManager. Transport-free.
import type { PastSession, SessionInfo } from '../wire/protocol';

export type SessionControlErrorCode = 'HOST_ERR_FOLDER_REFUSED' | 'HOST_ERR_START_FAILED' | 'HOST_ERR_UNSUPPORTED' | 'HOST_ERR_NO_SESSION';

/** A refusal with a message written for the device (it is shown there as it is). */
export class SessionControlError extends Error {
  override readonly name = 'SessionControlError';
  constructor(
    readonly code: SessionControlErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface StartRequest {
  /** The folder, as the device named it; the control resolves and checks it. */
  readonly folder: string;
  /** The first prompt: typed as a device prompt once the agent is ready (never a command line argument). */
  readonly prompt?: string;
  /** The agent's own id of a past session in `folder` to resume. */
  readonly resume?: string;
}

export interface SessionControl {
  /** The folders a device may start sessions in (absolute, resolved). */
  folders(): readonly string[];
  /** The agent's past sessions in an allowed folder, newest first. @throws SessionControlError */
  listPast(folder: string): Promise<PastSession[]>;
  /** Starts (or resumes) a session; resolves once it is served. @throws SessionControlError */
  start(request: StartRequest): Promise<SessionInfo>;
  /** Ends a session. @throws SessionControlError */
  stop(id: string): Promise<void>;
  /** Takes an ended session off the list. @throws SessionControlError (HOST_ERR_UNSUPPORTED while it runs) */
  clear(id: string): void;
}
