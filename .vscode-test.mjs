// The same in-editor suite under @vscode/test-electron on a desktop with internet access:
//   npm run test:desktop   (downloads VS Code 1.100+; needs Node 22 for @vscode/test-cli)
// CI and offline machines use `npm run test:vscode` (code-server) instead.
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  files: 'out/test/vscode/*.test.js',
  version: '1.100.3',
  mocha: { ui: 'bdd', timeout: 60000, forbidOnly: true, forbidPending: true },
});
