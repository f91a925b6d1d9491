import { dayKey } from '../shared/time';

/** The day an award counts towards for daily caps: its `occurredAt` in the deployment's zone. */
export function dayKeyOfAward(occurredAt: string, timeZone: string): string {
  return dayKey(new Date(occurredAt), timeZone);
}
