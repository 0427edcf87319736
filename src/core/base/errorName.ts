// What a log line may say about an error: its code when it has a string one (Walkie's errors, Node's
// system errors), else its class name — never its message, which can carry data (paths, input, keys).

export function errorName(e: unknown): string {
  if (e && typeof e === 'object' && 'code' in e && typeof (e as { code: unknown }).code === 'string') return (e as { code: string }).code;
  return e instanceof Error ? e.name : typeof e;
}
