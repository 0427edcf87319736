// The prompt box: multi-line (Enter is a newline, as on a phone keyboard), Cmd/Ctrl+Enter or the Send
// button sends, and Stop interrupts the agent while it works.
import { useRef, useState } from 'preact/hooks';
import { MAX_PROMPT_CHARS } from '../state/limits';

interface Props {
  enabled: boolean;
  working: boolean;
  placeholder: string;
  onSend: (text: string) => boolean;
  onStop: () => void;
}

export function Composer({ enabled, working, placeholder, onSend, onStop }: Props) {
  const [text, setText] = useState('');
  const ref = useRef<HTMLTextAreaElement>(null);
  const send = () => {
    if (!enabled || !text.trim()) return;
    if (onSend(text)) {
      setText('');
      if (ref.current) ref.current.style.height = 'auto';
    }
    ref.current?.focus();
  };
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <label for="prompt" class="sr-only">
        Message the agent
      </label>
      <textarea
        id="prompt"
        ref={ref}
        value={text}
        rows={1}
        maxLength={MAX_PROMPT_CHARS}
        placeholder={placeholder}
        disabled={!enabled}
        enterkeyhint="enter"
        onInput={(e) => {
          const el = e.currentTarget;
          setText(el.value);
          // Grow with the text up to the CSS max-height (a style set from script passes the panel's CSP).
          el.style.height = 'auto';
          el.style.height = `${el.scrollHeight}px`;
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) {
            e.preventDefault();
            send();
          }
        }}
      />
      <div class="composer-actions">
        {working && (
          <button type="button" class="btn btn-stop" onClick={onStop} data-testid="stop">
            Stop
          </button>
        )}
        <button type="submit" class="btn btn-send" disabled={!enabled || !text.trim()} data-testid="send">
          Send
        </button>
      </div>
    </form>
  );
}
