import type { DomainError, DomainErrorCode } from '@ledger/domain';

/** Every code of the API's error table (api.md), the HTTP layer's own included. */
export type ErrorCode =
  | DomainErrorCode
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'IDEMPOTENCY_KEY_IN_USE'
  | 'RATE_LIMITED'
  | 'PROJECTION_LAGGING'
  | 'STORE_UNAVAILABLE'
  | 'INTERNAL_ERROR';

/** RFC 9457 problem details, with the contract's `code` and, for validation, `errors`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: { field: string; message: string }[];
  /** An extension member: the rider that already holds a phone number (ALREADY_EXISTS). */
  riderId?: string;
}

/** The one place an error code becomes an HTTP status. */
export const STATUS_OF: Readonly<Record<ErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  INSUFFICIENT_BALANCE: 409,
  OUT_OF_STOCK: 409,
  TASK_FULL: 409,
  FUND_EXHAUSTED: 409,
  ALREADY_REVERSED: 409,
  ALREADY_CANCELLED: 409,
  ALREADY_VERIFIED: 409,
  SELECTION_CLOSED: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  IDEMPOTENCY_KEY_IN_USE: 409,
  CONCURRENCY_CONFLICT: 409,
  RULE_VIOLATION: 422,
  RATE_LIMITED: 429,
  PROJECTION_LAGGING: 503,
  STORE_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
};

const TITLES: Readonly<Record<ErrorCode, string>> = {
  VALIDATION_FAILED: 'The request is not valid',
  UNAUTHENTICATED: 'Authentication required',
  FORBIDDEN: 'Not allowed',
  NOT_FOUND: 'Not found',
  ALREADY_EXISTS: 'Already exists',
  INSUFFICIENT_BALANCE: 'Insufficient balance',
  OUT_OF_STOCK: 'Out of stock',
  TASK_FULL: 'Task full',
  FUND_EXHAUSTED: 'Fund exhausted',
  ALREADY_REVERSED: 'Already reversed',
  ALREADY_CANCELLED: 'Already cancelled',
  ALREADY_VERIFIED: 'Already verified',
  SELECTION_CLOSED: 'Selection closed',
  IDEMPOTENCY_KEY_REUSED: 'Idempotency key reused with another request',
  IDEMPOTENCY_KEY_IN_USE: 'Idempotency key in use',
  CONCURRENCY_CONFLICT: 'Concurrent change',
  RULE_VIOLATION: 'Not allowed by the point rules',
  RATE_LIMITED: 'Too many requests',
  PROJECTION_LAGGING: 'Read model behind',
  STORE_UNAVAILABLE: 'Store unavailable',
  INTERNAL_ERROR: 'Internal error',
};

export function problemOf(code: ErrorCode, detail: string, errors?: Problem['errors']): Problem {
  return {
    type: `https://rider-ledger.example/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[code],
    status: STATUS_OF[code],
    detail,
    code,
    ...(errors !== undefined && { errors }),
  };
}

/** Thrown by controllers with a problem to answer. */
export class ProblemException extends Error {
  constructor(
    readonly problem: Problem,
    /** Response headers that go with it (`Retry-After`). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(problem.detail);
  }

  /** A handler's refusal (a DomainError value) as the answer to the request. */
  static of(error: DomainError): ProblemException {
    return new ProblemException({ ...problemOf(error.code, error.detail), ...error.members });
  }
}
