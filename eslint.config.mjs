// ESLint (flat config). Besides the usual checks it enforces Walkie's layering:
//   webview-ui → core ← node ← vscode,   relay → core,   node → relay (embedded relay)
// so that a wrong import fails `npm test`. test/unit/layering.test.ts proves the rule bites.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = ['node:*', 'fs', 'fs/*', 'path', 'os', 'crypto', 'http', 'https', 'net', 'tls', 'child_process',
  'stream', 'events', 'util', 'url', 'zlib', 'buffer', 'worker_threads', 'readline', 'dgram', 'dns', 'process'];
const banned = (patterns) => ['error', { patterns }];
const rule = (group, message) => ({ group, message });

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', '*.vsix', 'bench/results.json', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'Use crypto randomness (randomBytes), never Math.random.' }],
    },
  },
  {
    files: ['src/core/**'],
    rules: {
      'no-restricted-imports': banned([
        rule(['vscode'], 'src/core is pure: no vscode.'),
        rule(NODE_BUILTINS, 'src/core is pure: no Node built-ins.'),
        rule(['ws', 'node-pty', 'qrcode', 'preact', 'preact/*'], 'src/core is pure: no runtime-specific packages.'),
        rule(['**/node/**', '**/relay/**', '**/vscode/**', '**/webview-ui/**'], 'src/core may not import other layers.'),
      ]),
    },
  },
  {
    files: ['src/node/**'],
    rules: {
      'no-restricted-imports': banned([
        rule(['vscode'], 'Only src/vscode imports vscode.'),
        rule(['**/vscode/**', '**/webview-ui/**'], 'src/node may use only src/core and src/relay.'),
      ]),
    },
  },
  {
    files: ['src/relay/**'],
    rules: {
      'no-restricted-imports': banned([
        rule(['vscode'], 'Only src/vscode imports vscode.'),
        rule(['**/node/**', '**/vscode/**', '**/webview-ui/**'], 'src/relay may use only src/core.'),
      ]),
    },
  },
  {
    files: ['src/vscode/**'],
    rules: {
      'no-restricted-imports': banned([rule(['**/webview-ui/**'], 'The extension talks to the web UI only by messages.')]),
    },
  },
  {
    files: ['webview-ui/**'],
    rules: {
      'no-restricted-imports': banned([
        rule(['vscode'], 'The web UI runs in a browser: no vscode.'),
        rule(NODE_BUILTINS, 'The web UI runs in a browser: no Node built-ins.'),
        rule(['**/src/node/**', '**/src/relay/**', '**/src/vscode/**'], 'The web UI may use only src/core.'),
      ]),
    },
  },
  {
    files: ['scripts/**/*.mjs', 'bench/**/*.mjs', '.vscode-test.mjs'],
    languageOptions: { globals: Object.fromEntries(['process', 'console', 'URL', 'URLSearchParams', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Buffer', 'performance'].map((g) => [g, 'readonly'])) },
  },
);
