/** The API's error codes that the domain itself can produce (HTTP mapping lives in the API). */
export type DomainErrorCode =
  /** The principal's scope (community, station, rider) does not cover this (api.md: 403). */
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'INSUFFICIENT_BALANCE'
  | 'OUT_OF_STOCK'
  | 'FUND_EXHAUSTED'
  | 'ALREADY_REVERSED'
  | 'ALREADY_CANCELLED'
  | 'RULE_VIOLATION'
  | 'SELECTION_CLOSED'
  | 'TASK_FULL'
  /** A check-in code that is not the check-in's, or not of now (issue 17: 422). */
  | 'CODE_REFUSED'
  | 'ALREADY_VERIFIED'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'VALIDATION_FAILED'
  /**
   * A fund book closed under a command: the ledger moves the command to the next book, so a
   * client never sees it.
   */
  | 'BOOK_CLOSED'
  /** The write lost a race and bounded retries did not help (the ledger's, not a decider's). */
  | 'CONCURRENCY_CONFLICT';

import { render, say, verbatim, type Said } from './said';

/** What a refusal names besides its words, for a client to act on (RFC 9457 extension members). */
export interface ErrorMembers {
  /** The rider that already holds what was asked for (a phone number). */
  readonly riderId?: string;
}

/** A rejected command: a value with a stable code, returned by deciders, never thrown by them. */
export class DomainError {
  constructor(
    readonly code: DomainErrorCode,
    /** Why, in words the API translates (say`…`). */
    readonly said: Said,
    readonly members: ErrorMembers = {},
  ) {}

  /** Why, in English: for logs, jobs and the CLI. */
  get detail(): string {
    return render(this.said);
  }
}

/** What `decide` returns: the new events (possibly none: the command was already applied) or why not. */
export type Decision<E> = readonly E[] | DomainError;

export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}

export const notFound = (what: Said): DomainError =>
  new DomainError('NOT_FOUND', say`${what} does not exist`);
export const alreadyExists = (what: Said): DomainError =>
  new DomainError('ALREADY_EXISTS', say`${what} already exists`);
export const ruleViolation = (detail: Said): DomainError =>
  new DomainError('RULE_VIOLATION', detail);
export const keyReused = (what: Said): DomainError =>
  new DomainError(
    'IDEMPOTENCY_KEY_REUSED',
    say`${what} was already used for a different request; use a new idempotency key`,
  );

/**
 * A retried reservation (fund points, station stock) is answered as its first attempt ended:
 * nothing new while it holds, the original refusal once it was released.
 */
export function answerAsBefore(
  released: { code: DomainErrorCode; reason: string } | undefined,
): Decision<never> {
  return released ? new DomainError(released.code, verbatim(released.reason)) : [];
}

/** Fails loudly on a broken invariant: a bug, not a user error. */
export function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`invariant violated: ${message}`);
}

export function assertNever(value: never): never {
  throw new Error(`unhandled case ${JSON.stringify(value)}`);
}
