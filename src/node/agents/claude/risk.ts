// A rough risk level for a tool call, shown on the approval card so a dangerous request stands out on a
// small screen. It is advice for a human, never a gate: every routed call waits for a decision whatever its
// level. Heuristics over the command text, not a shell parser:
//  - Quoted text is scanned as if it ran (`echo "rm -rf /"` → high), on purpose: the same text inside
//    `bash -c "…"`, `ssh host "…"` or `eval` does run, and a false "high" costs one look.
//  - `cd` is not followed: a relative path counts as inside the workspace.
//  - /tmp and /var/tmp count as scratch space: writing there is medium, not "outside the workspace".
//  - Running project scripts (`npm test`, `make`, `./build.sh`) is low: that is the agent's everyday work.
import { redactSecrets } from '../../../core/redaction/secretScanner';
import { LIMITS, type Risk } from '../../../core/wire/protocol';
import { editFieldBudget, isInside, MAX_EDITS, resolvePath } from './toolSummary';
import { CLAUDE_READ_ONLY_TOOLS } from './claudeTools';

type Level = Risk['level'];
type Finding = [Level, string];

const RANK: Record<Level, number> = { low: 0, medium: 1, high: 2 };

export function assessRisk(tool: string, input: unknown, workspaceRoot: string): Risk {
  const o = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const findings: Finding[] = [];
  const add = (level: Level, reason: string) => findings.push([level, reason]);
  switch (tool) {
    case 'Bash':
      bashRisk(typeof o.command === 'string' ? o.command : '', workspaceRoot, add);
      shownRisk([o.command, o.description], LIMITS.detail, add);
      // Inputs that change what the command may do, though the card shows only the command.
      if (o.dangerouslyDisableSandbox === true) add('high', 'runs outside the sandbox');
      if (o.run_in_background === true) add('medium', 'runs in the background');
      break;
    case 'Write':
    case 'Edit':
    case 'MultiEdit':
    case 'NotebookEdit': {
      fileRisk(o.file_path ?? o.notebook_path, workspaceRoot, add);
      if (tool === 'MultiEdit') {
        const edits = Array.isArray(o.edits) ? o.edits : [];
        const texts = edits.flatMap((e) => (typeof e === 'object' && e !== null ? [(e as Record<string, unknown>).old_string, (e as Record<string, unknown>).new_string] : []));
        if (edits.length > MAX_EDITS) add('medium', 'too long to show in full');
        shownRisk(texts, editFieldBudget(edits.length), add);
        if (edits.some((e) => typeof e === 'object' && e !== null && (e as Record<string, unknown>).replace_all === true)) add('medium', 'replaces every occurrence');
      } else {
        shownRisk([o.content, o.new_source], LIMITS.detail, add);
        shownRisk([o.old_string, o.new_string], editFieldBudget(1), add);
        if (o.replace_all === true) add('medium', 'replaces every occurrence');
      }
      break;
    }
    case 'Skill':
    case 'SlashCommand':
      // Security: approving a skill runs its instructions, and a skill file's inline `!`cmd`` runs with no
      // hook call of its own (measured). Walkie-launched sessions switch that inline shell off
      // (disableSkillShellExecution); a session started by hand and attached may not have.
      shownRisk([JSON.stringify(input ?? null)], LIMITS.detail, add);
      add('high', 'runs a skill: its instructions, and in a session started by hand its inline shell commands');
      break;
    case 'WebFetch':
      add('medium', 'fetches a URL');
      break;
    case 'WebSearch':
      add('medium', 'searches the web');
      break;
    default:
      if (!CLAUDE_READ_ONLY_TOOLS.has(tool)) shownRisk([JSON.stringify(input ?? null)], LIMITS.detail, add);
      if (tool.startsWith('mcp__')) add('medium', `MCP tool (${tool.split('__')[1] || 'unknown server'})`);
      else if (CLAUDE_READ_ONLY_TOOLS.has(tool)) {
        const p = o.file_path ?? o.notebook_path ?? o.path;
        if (typeof p === 'string' && p && outside(p, workspaceRoot)) add('medium', 'reads outside the workspace');
      } else if (!['Task', 'Agent', 'ExitPlanMode', 'KillShell', 'KillBash'].includes(tool)) add('medium', 'unknown tool');
  }
  return toRisk(findings);
}

function toRisk(findings: Finding[]): Risk {
  let level: Level = 'low';
  for (const [l] of findings) if (RANK[l] > RANK[level]) level = l;
  const sorted = [...findings].sort((a, b) => RANK[b[0]] - RANK[a[0]]);
  const reasons = [...new Set(sorted.map(([, r]) => r.slice(0, LIMITS.summary)))].slice(0, 8);
  return { level, reasons };
}

/**
 * Security: the card shows a capped, redacted copy of the input. Say so when the copy cannot be the whole
 * truth: text cut for length (the risk above was still judged on all of it), or characters that render
 * invisibly or reorder text (Trojan Source, CVE-2021-42574) and can make the shown text read differently.
 */
function shownRisk(texts: unknown[], maxEach: number, add: (l: Level, r: string) => void): void {
  for (const t of texts) {
    if (typeof t !== 'string') continue;
    if (t.length > maxEach) add('medium', 'too long to show in full');
    // The secret scanner's assignment rules can also swallow shell code (PASSWORD=x&&rm -rf ~): the person
    // approving must never take a hidden part on trust, so anything redacted on the card makes it high risk.
    if (redactSecrets(t).redactions > 0) add('high', 'part of it is hidden because it looks like a secret');
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/.test(t)) add('medium', 'contains invisible or direction-changing characters');
  }
}

// ---- files ---------------------------------------------------------------------------------------------

const LOCKFILES = /^(?:package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lockb?|Cargo\.lock|go\.sum|poetry\.lock|Pipfile\.lock|Gemfile\.lock|composer\.lock|uv\.lock)$/;
const CONFIG = /^(?:package\.json|Cargo\.toml|go\.mod|pyproject\.toml|setup\.py|setup\.cfg|requirements[\w.-]*\.txt|Pipfile|Gemfile|composer\.json|tsconfig[\w.-]*\.json|\.npmrc|\.yarnrc(?:\.yml)?|\.pypirc|Dockerfile|docker-compose[\w.-]*\.ya?ml|compose\.ya?ml|Makefile|\.gitattributes|\.gitmodules|\.pre-commit-config\.yaml|\.editorconfig|eslint\.config\.[cm]?js|\.eslintrc[\w.]*|vite\.config\.\w+|webpack\.config\.\w+)$/;
const CI = /(?:^|\/)(?:\.github\/workflows\/[^/]+|\.gitlab-ci\.yml|\.circleci\/.+|Jenkinsfile|azure-pipelines\.yml|\.travis\.yml|bitbucket-pipelines\.yml|\.husky\/.+|\.vscode\/(?:tasks|launch|settings)\.json)$/;

function fileRisk(p: unknown, root: string, add: (l: Level, r: string) => void): void {
  if (typeof p !== 'string' || !p) {
    add('medium', 'no file path');
    return;
  }
  const full = resolvePath(p, root || '/');
  if (outside(p, root)) {
    if (isTemp(full)) add('medium', 'writes to a temporary folder');
    else add('high', 'writes outside the workspace');
  }
  const base = full.slice(full.lastIndexOf('/') + 1);
  // Security: files that change what the agent or git will run later are high, wherever they are.
  if (/(?:^|\/)\.git(?:\/|$)/.test(full)) add('high', 'changes the .git folder (hooks run code)');
  if (/(?:^|\/)\.claude\/|(?:^|\/)\.mcp\.json$/.test(full)) add('high', 'changes Claude Code settings');
  if (LOCKFILES.test(base)) add('medium', 'changes a lockfile');
  else if (CI.test(full)) add('medium', 'changes CI or editor task configuration');
  else if (/^\.env(?:\.|$)/.test(base)) add('medium', 'changes an environment file');
  else if (CONFIG.test(base)) add('medium', 'changes a config file');
}

function outside(p: string, root: string): boolean {
  // Fail closed: a home-relative path or a missing workspace root counts as outside.
  if (p.startsWith('~') || !root) return true;
  return !isInside(p, root);
}

function isTemp(full: string): boolean {
  return /^\/(?:private\/)?(?:var\/)?tmp\//.test(full);
}

// ---- Bash ----------------------------------------------------------------------------------------------

const PREFIXES = new Set(['command', 'exec', 'nohup', 'time', 'nice', 'env', 'xargs', 'builtin', 'stdbuf', 'timeout']);
const NETWORK = new Set(['curl', 'wget', 'ssh', 'scp', 'sftp', 'rsync', 'nc', 'ncat', 'netcat', 'telnet', 'ftp', 'http', 'https', 'gh', 'aws', 'gcloud', 'az', 'kubectl', 'helm', 'terraform']);
const WRITES = new Set(['mv', 'cp', 'touch', 'mkdir', 'rmdir', 'ln', 'tee', 'truncate', 'install', 'unlink', 'shred', 'patch', 'unzip', 'chown', 'chgrp']);
const PACKAGES = new Set(['npm', 'pnpm', 'yarn', 'bun', 'pip', 'pip3', 'uv', 'poetry', 'pipx', 'gem', 'cargo', 'go', 'composer', 'brew', 'apt', 'apt-get', 'dnf', 'yum', 'pacman', 'apk', 'snap', 'conda']);
const PACKAGE_SUBS = new Set(['install', 'i', 'ci', 'add', 'remove', 'rm', 'uninstall', 'update', 'upgrade', 'up', 'publish', 'get', 'link', 'dlx', 'sync']);
const GIT_READ = new Set(['status', 'log', 'diff', 'show', 'rev-parse', 'ls-files', 'blame', 'grep', 'describe', 'shortlog', 'reflog', 'cat-file', 'ls-tree', 'help', 'version']);
const GIT_NETWORK = new Set(['push', 'pull', 'fetch', 'clone', 'ls-remote', 'submodule']);
const INTERPRETERS = new Set(['python', 'python3', 'node', 'perl', 'ruby', 'php', 'deno', 'bash', 'sh', 'zsh', 'dash', 'ksh', 'fish', 'pwsh', 'powershell']);

function bashRisk(command: string, root: string, add: (l: Level, r: string) => void, depth = 0): void {
  if (!command.trim()) {
    if (depth > 0) return;
    add('medium', 'empty command');
    return;
  }
  // Whole-command patterns that span a pipe.
  if (/\b(?:curl|wget)\b[^;&\n]*\|\s*(?:sudo\s+)?(?:env\s+)?(?:ba|z|da|k|fi)?sh\b/.test(command) ||
    /\b(?:curl|wget)\b[^;&\n]*\|\s*(?:sudo\s+)?(?:python3?|perl|ruby|node)\b/.test(command) ||
    /\b(?:ba|z)?sh\s+(?:-\w+\s+)*<\(\s*(?:curl|wget)\b/.test(command) ||
    /\b(?:ba|z)?sh\s+-c\s+["']?\$\(\s*(?:curl|wget)\b/.test(command)) {
    add('high', 'pipes a download into a shell');
  }
  redirectRisk(command, root, add);
  for (const segment of command.split(/\|\||&&|[;|&\n`()]|\$\(/)) {
    const tokens = segment.trim().split(/\s+/).filter(Boolean).map((t) => t.replace(/^["']+|["']+$/g, ''));
    let i = 0;
    while (i < tokens.length) {
      const t = tokens[i]!;
      if (/^\w+=/.test(t) || PREFIXES.has(t) || (i > 0 && t.startsWith('-') && PREFIXES.has(tokens[i - 1]!))) i++;
      else if (t === 'sudo' || t === 'doas' || t === 'su') {
        add('high', 'runs as root');
        i++;
        while (i < tokens.length && tokens[i]!.startsWith('-')) i++;
      } else break;
    }
    if (i >= tokens.length) continue;
    commandRisk(basename(tokens[i]!), tokens.slice(i + 1), root, add);
  }
  // Quoted text is read as a command too (see the header): `bash -c "…"`, `ssh h '…'`, `eval "…"`.
  if (depth < 2) for (const m of command.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'/g)) bashRisk(m[1] ?? m[2] ?? '', root, add, depth + 1);
}

function commandRisk(cmd: string, args: string[], root: string, add: (l: Level, r: string) => void): void {
  const flags = args.filter((a) => a.startsWith('-'));
  const operands = args.filter((a) => !a.startsWith('-'));
  const shortFlag = (letter: string) => flags.some((f) => /^-[a-zA-Z]+$/.test(f) && f.includes(letter));
  const outsidePaths = (paths: string[]) => {
    for (const p of paths) {
      if (!/^(?:\/|~)/.test(p)) continue;
      if (isTemp(resolvePath(p, '/'))) add('medium', 'writes to a temporary folder');
      else if (outside(p, root)) add('high', 'changes files outside the workspace');
    }
  };
  if (cmd.startsWith('mkfs') || ['fdisk', 'sfdisk', 'parted', 'wipefs'].includes(cmd)) add('high', 'formats or repartitions a disk');
  if (['shutdown', 'reboot', 'halt', 'poweroff'].includes(cmd)) add('high', 'shuts down or restarts the machine');
  switch (cmd) {
    case 'rm':
      if (shortFlag('r') || shortFlag('R') || flags.includes('--recursive')) add('high', 'deletes files recursively');
      else add('medium', 'deletes files');
      if (operands.some((a) => /(?:^|\/)\.git\/?$/.test(a))) add('high', 'deletes the .git folder');
      outsidePaths(operands);
      return;
    case 'git':
      return gitRisk(args, add);
    case 'chmod': {
      const recursive = shortFlag('R') || flags.includes('--recursive');
      const open = operands.some((a) => /^0?777$|^(?:a|ugo|o)\+(?:rwx|w)$/.test(a));
      if (recursive && open) add('high', 'makes files world-writable recursively');
      else add('medium', open ? 'makes a file world-writable' : 'changes file permissions');
      outsidePaths(operands.slice(1));
      return;
    }
    case 'dd':
      if (args.some((a) => /^of=\/dev\/(?!null$)/.test(a))) add('high', 'writes to a raw device');
      else add('medium', 'writes with dd');
      return;
    case 'find':
      if (args.includes('-delete') || args.some((a) => a === '-exec' || a === '-execdir')) add('medium', 'runs commands or deletes files from find');
      return;
    case 'sed':
    case 'perl':
      if (flags.some((f) => /^-[a-zA-Z]*i/.test(f) || f.startsWith('--in-place'))) {
        add('medium', 'edits files in place');
        outsidePaths(operands);
        return;
      }
      break;
    case 'kill':
    case 'pkill':
    case 'killall':
      add('medium', 'stops processes');
      return;
    case 'eval':
      add('medium', 'runs inline code');
      return;
    case 'npx':
    case 'bunx':
      add('medium', 'runs a package from the registry');
      return;
    case 'docker':
    case 'podman':
      if (operands[0] && ['push', 'pull', 'login', 'run', 'build'].includes(operands[0])) add('medium', 'runs or moves containers');
      return;
    case 'crontab':
    case 'systemctl':
    case 'launchctl':
    case 'service':
      add('medium', 'changes system services');
      return;
  }
  if (WRITES.has(cmd)) {
    add('medium', 'writes files');
    outsidePaths(cmd === 'cp' || cmd === 'install' || cmd === 'ln' ? operands.slice(-1) : operands);
  }
  if (NETWORK.has(cmd)) add('medium', 'uses the network');
  if (PACKAGES.has(cmd) && (operands.length === 0 ? cmd === 'yarn' : PACKAGE_SUBS.has(operands[0]!))) add('medium', 'installs or publishes packages');
  if (INTERPRETERS.has(cmd) && flags.some((f) => f === '-c' || f === '-e' || f === '--eval' || f === '-Command')) add('medium', 'runs inline code');
}

function gitRisk(args: string[], add: (l: Level, r: string) => void): void {
  let i = 0;
  while (i < args.length && args[i]!.startsWith('-')) i += args[i] === '-C' || args[i] === '-c' ? 2 : 1;
  const sub = args[i] ?? '';
  const rest = args.slice(i + 1);
  const flag = (long: string, short?: string) =>
    rest.some((a) => a === long || a.startsWith(`${long}=`) || (short !== undefined && /^-[a-zA-Z]+$/.test(a) && a.includes(short)));
  if (sub === 'push' && (flag('--force', 'f') || flag('--force-with-lease') || flag('--force-if-includes') || rest.some((a) => /^\+/.test(a)))) {
    add('high', 'force-pushes');
  }
  if (sub === 'reset' && flag('--hard')) add('high', 'discards uncommitted changes');
  if (sub === 'clean' && flag('--force', 'f')) add('high', 'deletes untracked files');
  if (sub === 'rm' && flag('-r', 'r')) add('high', 'deletes files recursively');
  if (sub === 'branch' && flag('--delete', 'D')) add('medium', 'deletes a branch');
  if (GIT_NETWORK.has(sub)) add('medium', 'uses the network');
  if (sub && !GIT_READ.has(sub) && sub !== 'branch') add('medium', 'changes git state');
}

function redirectRisk(command: string, root: string, add: (l: Level, r: string) => void): void {
  const targets: string[] = [];
  for (const m of command.matchAll(/(?:^|[^<>&\d=])(?:\d?>>?|&>>?)\s*(["']?)([^\s;&|'"<>()]+)\1/g)) targets.push(m[2]!);
  for (const t of targets) {
    if (/^&\d?$|^\/dev\/(?:null|stdout|stderr|tty|fd\/\d+)$/.test(t)) continue;
    if (/^\/dev\//.test(t)) add('high', 'writes to a raw device');
    else if (/^(?:\/|~)/.test(t)) {
      if (isTemp(resolvePath(t, '/'))) add('medium', 'writes to a temporary folder');
      else if (outside(t, root)) add('high', 'writes outside the workspace');
      else add('medium', 'writes files');
    } else add('medium', 'writes files');
  }
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}
