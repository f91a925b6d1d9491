import { checkJobId } from './job-queue';

/** The ledger's jobs by name. */
export const JOB_NAMES = {
  escalation: 'hazard-escalation',
  selectionClose: 'selection-close',
  seal: 'log-seal',
  fundBooks: 'fund-books-close',
  replay: 'read-model-replay',
  catchUp: 'read-model-catch-up',
  export: 'export',
  webhookDelivery: 'webhook-delivery',
  webhookRedelivery: 'webhook-redelivery',
  webhookSweep: 'webhook-sweep',
} as const;

/**
 * The one function that builds job ids: a prefix and what the job is about (a domain id, a time
 * slot), so the same request is the same job (BullMQ dedupes by id while the job is kept).
 * `replay-<uuid>`, `hazard-escalation-<slot>`, `selection-close-<selectionId>` …
 */
export function jobIdOf(prefix: string, ...about: (string | number)[]): string {
  const id = [prefix, ...about].join('-');
  checkJobId(id);
  return id;
}
