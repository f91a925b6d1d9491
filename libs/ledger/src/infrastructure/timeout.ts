/** Thrown by `withTimeout` when the work did not settle in time (the work itself goes on). */
export class TimedOut extends Error {}

/** `promise`, or a `TimedOut` rejection after `ms`: bounds a call to a dependency that may hang. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimedOut(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
