// The web UI's entry point: the same bundle runs on the phone (served by the relay) and in the VS Code
// panel (a webview). It renders into #app.
import { render } from 'preact';
import './styles.css';

function App() {
  return (
    <main class="shell" aria-live="polite">
      <h1>Walkie</h1>
      <p class="hint" data-testid="status">Not paired yet. Scan the QR code that VS Code shows to pair this device.</p>
    </main>
  );
}

const root = document.getElementById('app');
if (root) render(<App />, root);
