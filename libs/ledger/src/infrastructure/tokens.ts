/** Injection tokens of the ledger's infrastructure (one place, so nothing spells them inline). */
export const LEDGER_CONFIG = Symbol('LEDGER_CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const QUEUE_PROBE = Symbol('QUEUE_PROBE');
