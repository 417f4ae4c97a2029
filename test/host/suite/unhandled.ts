// Unhandled promise rejections in the extension host while the suite runs: index.ts starts the count, and a
// run with any fails (a promise nobody waits on that rejects is a bug even when the test passed).
const seen: { during: string; error: string }[] = [];
let started = false;

export function countUnhandled(during: () => string): void {
  if (started) return;
  started = true;
  process.on('unhandledRejection', (reason: unknown) => {
    seen.push({ during: during(), error: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason) });
  });
}

/** The unhandled rejections so far (copies). */
export function unhandled(): { during: string; error: string }[] {
  return seen.map((s) => ({ ...s }));
}
