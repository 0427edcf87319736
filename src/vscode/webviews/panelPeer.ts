// The VS Code panel as a HostService peer: what it is called, who its decisions are by, and how host
// messages reach the page. Kept free of `vscode` so unit tests drive exactly what production connects.
import type { Peer } from '../../core/host/hostService';
import type { ToPanelMessage } from './panelMessages';

/** The panel's peer id (one panel per window). */
export const PANEL_PEER_ID = 'vscode';

/** The panel's peer: decisions made in it are by `{kind: 'vscode'}` (shown as "VS Code" to v1 pages). */
export function panelPeer(post: (message: ToPanelMessage) => void): Peer {
  return { id: PANEL_PEER_ID, name: 'VS Code', author: { kind: 'vscode' }, send: (message) => post({ type: 'host', message }) };
}
