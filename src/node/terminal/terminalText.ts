// Terminal output reduced to plain text, for spotting what an agent's UI shows (its prompt box) without a
// terminal emulator. Good enough for fixed phrases; not a screen model.

/** Terminal output as plain text: cursor-forward moves become spaces, other escapes are removed. */
export function plainText(data: string): string {
  return (
    data
      // eslint-disable-next-line no-control-regex
      .replace(/\x1b\[\d*C/g, ' ')
      // eslint-disable-next-line no-control-regex
      .replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g, '')
  );
}
