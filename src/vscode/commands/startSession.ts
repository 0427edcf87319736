import type { AgentSession } from '../../node/sessions/agentSession';
import type { AgentSessions } from '../sessions/agentSessions';
import { reportError } from './reportError';

/** Walkie: Start Claude Code Session — Claude Code in a VS Code terminal, every tool call gated by Walkie. */
export class StartSessionCommand {
  static readonly id = 'walkie.startSession';
  readonly id = StartSessionCommand.id;

  constructor(private readonly sessions: AgentSessions) {}

  async execute(): Promise<AgentSession | undefined> {
    try {
      return await this.sessions.start();
    } catch (e) {
      return reportError('could not start the agent session', e);
    }
  }
}
