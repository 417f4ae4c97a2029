/** Thrown when the user dismisses a prompt: the command stops quietly. */
export class Cancelled extends Error {
  constructor() {
    super('Cancelled');
  }
}

/** Returns the value, or stops the command quietly when the user pressed Escape. */
export function orCancel<T>(value: T | undefined): T {
  if (value === undefined) throw new Cancelled();
  return value;
}
