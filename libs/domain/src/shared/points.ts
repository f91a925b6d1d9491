import { invariant } from './domain-error';

/** Points per award or item price: integers from 1 to 1,000,000 (api.md). */
export const MIN_POINTS = 1;
export const MAX_POINTS = 1_000_000;

export function isValidPoints(points: number): boolean {
  return Number.isSafeInteger(points) && points >= MIN_POINTS && points <= MAX_POINTS;
}

/** Integer addition that refuses to leave the safe-integer range instead of losing precision. */
export function addPoints(a: number, b: number): number {
  const sum = a + b;
  invariant(Number.isSafeInteger(sum), `point sum ${a} + ${b} leaves the safe integer range`);
  return sum;
}

export function subtractPoints(a: number, b: number): number {
  return addPoints(a, -b);
}
