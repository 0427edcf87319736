import type { AgentSession } from '../../node/sessions/agentSession';
import type { AgentSessions } from '../sessions/agentSessions';
import { reportError } from './reportError';

/** Walkie: Start Codex Session — OpenAI's Codex CLI in a VS Code terminal, every command and patch gated by Walkie. */
export class StartCodexSessionCommand {
  static readonly id = 'walkie.startCodexSession';
  readonly id = StartCodexSessionCommand.id;

  constructor(private readonly sessions: AgentSessions) {}

  async execute(): Promise<AgentSession | undefined> {
    try {
      return await this.sessions.start({ agent: 'codex' });
    } catch (e) {
      return reportError('could not start Codex', e);
    }
  }
}
