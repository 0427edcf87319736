// Loads the markdown renderer (marked + DOMPurify, markdown.ts) on first need rather than at start-up:
// their set-up is not needed to paint the first screen. Until it has loaded, assistant text shows as
// plain text (a text node: as safe as the sanitized HTML).
type MarkdownModule = typeof import('./markdown');

let loaded: MarkdownModule | undefined;
let loading: Promise<MarkdownModule> | undefined;

export function loadMarkdown(): Promise<MarkdownModule> {
  loading ??= import('./markdown').then((m) => (loaded = m));
  return loading;
}

/** The renderer if it has loaded, else undefined (call loadMarkdown and re-render). */
export function markdownIfLoaded(): MarkdownModule | undefined {
  return loaded;
}
