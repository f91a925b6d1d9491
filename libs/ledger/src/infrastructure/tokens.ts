/** Injection tokens of the ledger's infrastructure (one place, so nothing spells them inline). */
export const LEDGER_CONFIG = Symbol('LEDGER_CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const QUEUE_PROBE = Symbol('QUEUE_PROBE');
/** The SQL database beside the log (PGlite or PostgreSQL): personal data, read models, keys. */
export const SQL_DATABASE = Symbol('SQL_DATABASE');
export const LEDGER_STORAGE = Symbol('LEDGER_STORAGE');
export const PERSONAL_DATA = Symbol('PERSONAL_DATA');
export const READ_MODELS = Symbol('READ_MODELS');
/** The job queue (BullMQ with REDIS_URL, else in-process) and the processors of every job. */
export const JOB_QUEUE = Symbol('JOB_QUEUE');
export const JOB_PROCESSORS = Symbol('JOB_PROCESSORS');
/** Where an award or a redemption lives (its rider and station): the ledger lines read model. */
export const ENTRY_LOCATOR = Symbol('ENTRY_LOCATOR');
