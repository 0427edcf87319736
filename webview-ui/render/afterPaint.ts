// Work that can wait until the first screen has been painted (loading the transport, the markdown
// renderer): queued here and run by main.tsx right after the first frame.
let painted = false;
const queue: (() => void)[] = [];

export function afterFirstPaint(fn: () => void): void {
  if (painted) setTimeout(fn, 0);
  else queue.push(fn);
}

/** Called once by main.tsx after the first frame. */
export function firstPaintDone(): void {
  painted = true;
  for (const fn of queue.splice(0)) fn();
}
