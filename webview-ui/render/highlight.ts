// A small syntax highlighter for code blocks in the agent's replies: comments, strings, numbers and
// keywords — enough to read code on a phone, within the bundle budget (no library). One pass with one
// regular expression; every token's text is escaped here, and only four fixed class names are ever
// produced (markdown.ts lets DOMPurify keep exactly these on <span>). A block without a language (often
// command output) is left plain: guessing would colour English apostrophes as strings.

export const TOKEN_CLASSES = ['tok-com', 'tok-str', 'tok-num', 'tok-kw'] as const;

/** Languages whose line comments start with `#` (the others: `//` lines and slash-star blocks). */
const HASH = new Set(['sh', 'bash', 'shell', 'zsh', 'console', 'py', 'python', 'rb', 'ruby', 'yaml', 'yml', 'toml', 'ini', 'dockerfile', 'makefile', 'r', 'perl', 'pl', 'ps1', 'powershell', 'conf']);
/** Languages with no comments or keywords worth colouring: strings and numbers only. */
const DATA = new Set(['json', 'jsonc', 'csv']);

const KEYWORDS = new Set(
  (
    'abstract as async await break case catch class const continue def default defer del delete do elif else enum ' +
    'export extends false final finally fn for from func function go if impl implements import in instanceof interface ' +
    'is lambda let match mod module mut new nil none not null or package pass private protected pub public raise ' +
    'readonly return self static struct super switch this throw throws trait true try type typeof undefined unless ' +
    'use var void when where while with yield and then fi esac done echo local export True False None'
  ).split(' '),
);

const SLASH_TOKEN = /(\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$))|("(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|`(?:[^`\\]|\\[\s\S])*`?)|(\b(?:0x[\da-fA-F]+|\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?)\b)|([A-Za-z_$][\w$]*)/g;
const HASH_TOKEN = /(#[^\n]*)|("(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?)|(\b(?:0x[\da-fA-F]+|\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?)\b)|([A-Za-z_][\w-]*)/g;

/** The code as HTML: escaped text, with tokens wrapped in `<span class="tok-…">`. */
export function highlightToHtml(code: string, lang: string | undefined, escape: (s: string) => string): string {
  const language = (lang ?? '').trim().toLowerCase().split(/\s/)[0] ?? '';
  if (!language) return escape(code);
  const re = HASH.has(language) ? HASH_TOKEN : SLASH_TOKEN;
  const data = DATA.has(language);
  let out = '';
  let last = 0;
  re.lastIndex = 0;
  for (let m = re.exec(code); m; m = re.exec(code)) {
    const cls = m[1] !== undefined ? (data ? undefined : 'tok-com') : m[2] !== undefined ? 'tok-str' : m[3] !== undefined ? 'tok-num' : !data && KEYWORDS.has(m[4]!) ? 'tok-kw' : undefined;
    if (!cls) continue;
    out += escape(code.slice(last, m.index)) + `<span class="${cls}">${escape(m[0])}</span>`;
    last = m.index + m[0].length;
  }
  return out + escape(code.slice(last));
}
