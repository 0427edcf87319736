// The one error every adapter throws when it refuses to start its agent (a bypass argument, hooks switched
// off, a CLI that is missing or too old). Agent-neutral: `walkie host` and VS Code show its message as is.
export type AgentLaunchErrorCode = 'AGENT_ERR_BYPASS' | 'AGENT_ERR_HOOKS_OFF' | 'AGENT_ERR_SETTINGS' | 'AGENT_ERR_ARGS' | 'AGENT_ERR_VERSION' | 'AGENT_ERR_NOT_FOUND';

export class AgentLaunchError extends Error {
  constructor(
    readonly code: AgentLaunchErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AgentLaunchError';
  }
}

/** Compares dotted numeric versions: <0, 0, >0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
