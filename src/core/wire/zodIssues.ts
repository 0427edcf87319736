// One redacted summary of why a value failed its schema, for logs and error messages: the paths and issue
// codes only, never the values (they come off the wire and may hold secrets or file contents).
import type { z } from 'zod';

/** "path.to.field: code; other: code" for the first `max` issues; "(root)" for the value itself. */
export function issueSummary(error: z.ZodError, max = 3): string {
  return error.issues
    .slice(0, max)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.code}`)
    .join('; ');
}
