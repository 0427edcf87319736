// Where the user goes on the computer, in words that fit the host: VS Code, the terminal running
// `walkie host`, or — before the host has said (pairing) or for a kind this page does not know — "your
// computer". The host says what it is in `hello.hostKind` (feature `hostKind`, docs/protocol.md).

/** What the thread says while the host has no session. */
export function noSessionText(hostKind: string | undefined): string {
  if (hostKind === 'vscode') return 'No agent session yet. Start one in VS Code.';
  if (hostKind === 'cli') return 'No agent session yet. It starts in the terminal running “walkie host”.';
  return 'No agent session yet. Start one on your computer.';
}

/** How to get a new pairing code, on either kind of host. */
export const NEW_CODE_HINT = 'On your computer, run “Walkie: Pair a Device” in VS Code, or start “walkie host” in a terminal, and scan the new QR code.';
