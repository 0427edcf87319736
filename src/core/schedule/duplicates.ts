// Two schedules that would start the same work at the same times on the same folder burn tokens twice: a new
// or edited schedule is compared with the saved ones and the twin is named before saving (the user decides).
import type { Schedule, ScheduleInput } from '../wire/scheduleSchemas';
import { cadenceToCron } from './cadenceText';

/** The folder as compared: without trailing separators. */
function folderKey(dir: string): string {
  return dir.length > 1 ? dir.replace(/[\\/]+$/, '') : dir;
}

/** The prompt as compared: case, and runs of whitespace, do not make two prompts different. */
function promptKey(prompt: string): string {
  return prompt.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** The saved schedule `input` duplicates (same folder, prompt, cadence and zone), other than itself. */
export function findDuplicate(input: ScheduleInput, saved: readonly Schedule[]): Schedule | undefined {
  const pattern = cadenceToCron(input.cadence);
  return saved.find(
    (s) =>
      s.id !== input.id &&
      folderKey(s.dir) === folderKey(input.dir) &&
      promptKey(s.prompt) === promptKey(input.prompt) &&
      cadenceToCron(s.cadence) === pattern &&
      s.timeZone === input.timeZone,
  );
}
