import {
  say,
  type DomainError,
  type DomainErrorCode,
  type ErrorMembers,
  type Said,
} from '@ledger/domain';
import type { FastifyReply } from 'fastify';
import { wordsIn, type Language } from './i18n/language';

/** The media type of every error answer. */
export const PROBLEM_JSON = 'application/problem+json; charset=utf-8';

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
  BOOK_CLOSED: 409,
  ALREADY_REVERSED: 409,
  ALREADY_CANCELLED: 409,
  ALREADY_VERIFIED: 409,
  SELECTION_CLOSED: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  IDEMPOTENCY_KEY_IN_USE: 409,
  CONCURRENCY_CONFLICT: 409,
  RULE_VIOLATION: 422,
  CODE_REFUSED: 422,
  RATE_LIMITED: 429,
  PROJECTION_LAGGING: 503,
  STORE_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
};

const TITLES: Readonly<Record<ErrorCode, Said>> = {
  VALIDATION_FAILED: say`The request is not valid`,
  UNAUTHENTICATED: say`Authentication required`,
  FORBIDDEN: say`Not allowed`,
  NOT_FOUND: say`Not found`,
  ALREADY_EXISTS: say`Already exists`,
  INSUFFICIENT_BALANCE: say`Insufficient balance`,
  OUT_OF_STOCK: say`Out of stock`,
  TASK_FULL: say`Task full`,
  CODE_REFUSED: say`Check-in code refused`,
  FUND_EXHAUSTED: say`Fund exhausted`,
  BOOK_CLOSED: say`Fund book closed`,
  ALREADY_REVERSED: say`Already reversed`,
  ALREADY_CANCELLED: say`Already cancelled`,
  ALREADY_VERIFIED: say`Already verified`,
  SELECTION_CLOSED: say`Selection closed`,
  IDEMPOTENCY_KEY_REUSED: say`Idempotency key reused with another request`,
  IDEMPOTENCY_KEY_IN_USE: say`Idempotency key in use`,
  CONCURRENCY_CONFLICT: say`Concurrent change`,
  RULE_VIOLATION: say`Not allowed by the point rules`,
  RATE_LIMITED: say`Too many requests`,
  PROJECTION_LAGGING: say`Read model behind`,
  STORE_UNAVAILABLE: say`Store unavailable`,
  INTERNAL_ERROR: say`Internal error`,
};

/** A field a request got wrong, and what is allowed there in words. */
export interface FieldError {
  field: string;
  message: Said;
}

/** A problem before it is put in the caller's language. */
export interface ProblemSource {
  code: ErrorCode;
  detail: Said;
  errors?: readonly FieldError[];
  members?: ErrorMembers;
  /** Another status than the code's own (a 413, 415, 431 said as VALIDATION_FAILED). */
  status?: number;
}

export function problemOf(
  code: ErrorCode,
  detail: Said,
  errors?: readonly FieldError[],
): ProblemSource {
  return { code, detail, ...(errors !== undefined && { errors }) };
}

/** The problem as the caller reads it: title, detail and messages in its language. */
export function problemIn(source: ProblemSource, language: Language): Problem {
  const { code } = source;
  return {
    type: `https://rider-ledger.example/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: wordsIn(language, TITLES[code]),
    status: source.status ?? STATUS_OF[code],
    detail: wordsIn(language, source.detail),
    code,
    ...(source.errors !== undefined && {
      errors: source.errors.map(({ field, message }) => ({
        field,
        message: wordsIn(language, message),
      })),
    }),
    ...source.members,
  };
}

/** Thrown by controllers with a problem to answer. */
export class ProblemException extends Error {
  private constructor(
    private readonly source: ProblemSource | { answered: Problem },
    /** Response headers that go with it (`Retry-After`). */
    readonly headers: Readonly<Record<string, string>>,
  ) {
    super('answered' in source ? source.answered.detail : wordsIn('en', source.detail));
  }

  static from(source: ProblemSource, headers: Readonly<Record<string, string>> = {}) {
    return new ProblemException(source, headers);
  }

  /** A handler's refusal (a DomainError value) as the answer to the request. */
  static of(error: DomainError): ProblemException {
    return ProblemException.from({ code: error.code, detail: error.said, members: error.members });
  }

  /** An answer given before (an idempotent replay): repeated word for word. */
  static replay(problem: Problem): ProblemException {
    return new ProblemException({ answered: problem }, {});
  }

  answer(language: Language): Problem {
    return 'answered' in this.source ? this.source.answered : problemIn(this.source, language);
  }
}

/** A problem as the answer, saying which language it is in. */
export function sendProblem(reply: FastifyReply, problem: Problem, language: Language): void {
  void reply
    .status(problem.status)
    .header('content-type', PROBLEM_JSON)
    .header('content-language', language)
    .header('vary', 'Accept-Language')
    .send(problem);
}
