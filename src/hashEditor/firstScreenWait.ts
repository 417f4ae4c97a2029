/** The longest the rest of a load waits for the webview to draw the first screen (a page that never says so). */
const FIRST_SCREEN_WAIT_MS = 2000;
let waitMs = FIRST_SCREEN_WAIT_MS;

export function firstScreenWaitMs(): number {
  return waitMs;
}

/** Tests on a loaded machine lengthen the wait (undefined: FIRST_SCREEN_WAIT_MS again). */
export function setFirstScreenWait(ms: number | undefined): void {
  waitMs = ms ?? FIRST_SCREEN_WAIT_MS;
}
