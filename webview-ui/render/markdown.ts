// Assistant text → safe HTML. The agent's output is untrusted (it may echo a web page, a file, a
// prompt-injected payload), so marked's HTML goes through DOMPurify with a strict allow-list before it
// reaches the page: structure and emphasis only — no raw HTML, no scripts, no event handlers, no images
// (a remote image would leak the phone's address), no forms, no class or style (so agent text can never
// dress up as a Walkie control such as an approval card), and links only to http(s)/mailto. Code blocks
// are coloured by highlight.ts: the one exception to "no class" is a <span> with one of its four token
// classes, which only that renderer writes (raw HTML in the text is shown as text).
import DOMPurify from 'dompurify';
import { Marked } from 'marked';
import { highlightToHtml, TOKEN_CLASSES } from './highlight';

const ALLOWED_TAGS = [
  'p', 'br', 'hr', 'strong', 'em', 'del', 's', 'code', 'pre', 'blockquote',
  'ul', 'ol', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'a',
  'table', 'thead', 'tbody', 'tr', 'th', 'td', 'input', 'span',
];
const ALLOWED_ATTR = ['href', 'title', 'start', 'type', 'checked', 'disabled', 'align', 'class'];
const TOKEN_CLASS = new Set<string>(TOKEN_CLASSES);
/** Absolute http(s) and mailto only: no javascript:, data:, vbscript:, file: or relative URLs. */
const SAFE_URL = /^(?:https?:|mailto:)/i;

const marked = new Marked({ gfm: true, breaks: true, async: false });
// Raw HTML in the markdown is shown as text, not parsed (DOMPurify would strip it anyway: belt and braces).
marked.use({
  renderer: {
    html({ text }) {
      return escapeHtml(text);
    },
    code({ text, lang }) {
      return `<pre><code>${highlightToHtml(text, lang, escapeHtml)}</code></pre>\n`;
    },
  },
});

let hooked = false;
function installHooks(): void {
  if (hooked) return;
  hooked = true;
  // Security: `class` survives only as one token class on a <span> (colour, nothing that looks like a control).
  DOMPurify.addHook('uponSanitizeAttribute', (node, data) => {
    if (data.attrName === 'class' && !(node.nodeName === 'SPAN' && TOKEN_CLASS.has(data.attrValue))) data.keepAttr = false;
  });
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.nodeName === 'A') {
      const href = node.getAttribute('href');
      if (!href || !SAFE_URL.test(href.trim())) node.removeAttribute('href');
      // Links open outside the app, with no opener and no referrer.
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
    // GFM task lists are the only inputs allowed: read-only checkboxes.
    if (node.nodeName === 'INPUT') {
      if (node.getAttribute('type') !== 'checkbox') node.remove();
      else node.setAttribute('disabled', '');
    }
  });
}

/** Renders untrusted markdown to sanitized HTML (a string safe to assign to innerHTML). */
export function renderMarkdown(text: string): string {
  installHooks();
  let html: string;
  try {
    html = marked.parse(text) as string;
  } catch {
    html = `<p>${escapeHtml(text)}</p>`;
  }
  return DOMPurify.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ALLOWED_URI_REGEXP: SAFE_URL,
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
    FORBID_TAGS: ['style', 'script', 'iframe', 'object', 'embed', 'form', 'svg', 'math', 'img', 'video', 'audio', 'source', 'link', 'meta', 'base'],
    RETURN_TRUSTED_TYPE: false,
  });
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
