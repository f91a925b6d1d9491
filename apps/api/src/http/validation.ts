import { say } from '@ledger/domain';
import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { ID, ID_IN_WORDS } from './ids';
import { messageOf } from './i18n/validation-words';
import { problemOf, ProblemException, type FieldError } from './problem';

/**
 * DTOs are validated with class-validator: unknown fields are refused (a misspelt field never
 * passes silently), values are converted only where a DTO says so, and every failure is listed
 * as `errors: [{ field, message }]` under VALIDATION_FAILED.
 */
export function validationPipe(): ValidationPipe {
  return new LedgerValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    // The messages need the class (for a check's declared limits) and the value (for which
    // limit a length broke); neither ever reaches the client.
    validationError: { target: true, value: true },
    exceptionFactory: (errors) =>
      ProblemException.from(
        problemOf('VALIDATION_FAILED', say`the request is not valid`, flatten(errors)),
      ),
  });
}

function flatten(errors: readonly ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([check, english]) => ({
      field,
      message: messageOf(error, check, english),
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * Keys the class mapping would drop or take from the prototype without a word (`constructor`,
 * `hasOwnProperty`, `toString`… name parts of every object, so no DTO field can have them):
 * refused here like any other unknown field.
 */
const isReservedKey = (key: string) => key === 'prototype' || key in Object.prototype;

class LedgerValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const found = badPartIn(value, '');
    if (found !== undefined)
      throw ProblemException.from(
        problemOf('VALIDATION_FAILED', say`the request is not valid`, [found]),
      );
    if (metadata.type === 'param') checkPathIds(value, metadata.data);
    return super.transform(value, metadata);
  }
}

/** Every id in a path has the contract's id form; anything else is refused before it nears a store. */
function checkPathIds(value: unknown, name: string | undefined): void {
  const params: [string, unknown][] =
    typeof value === 'object' && value !== null ? Object.entries(value) : [[name ?? 'id', value]];
  const errors = params
    .filter(([, v]) => typeof v !== 'string' || !ID.test(v))
    .map(([field]) => ({ field, message: say`${field} must be ${ID_IN_WORDS}` }));
  if (errors.length > 0)
    throw ProblemException.from(problemOf('VALIDATION_FAILED', say`the path is not valid`, errors));
}

/** Control characters other than tab and newline, and halves of a surrogate pair: never text. */
const NOT_TEXT =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The first part of a request no DTO can accept: a reserved key, a string that is blank or holds
 * control characters or a broken surrogate pair.
 */
function badPartIn(value: unknown, path: string, depth = 0): FieldError | undefined {
  if (typeof value === 'string') {
    if (NOT_TEXT.test(value))
      return { field: path, message: say`${path} must not hold control characters or broken text` };
    if (value.length > 0 && value.trim().length === 0)
      return { field: path, message: say`${path} must not be blank` };
    return undefined;
  }
  // No field takes null: `"points": null` would otherwise pass as if the field were left out.
  if (value === null)
    return path
      ? { field: path, message: say`${path} must not be null; leave it out instead` }
      : { field: 'body', message: say`the request body must be a JSON object, not null` };
  if (typeof value !== 'object' || depth > 32) return undefined;
  for (const key of Object.keys(value)) {
    const field = path ? `${path}.${key}` : key;
    if (isReservedKey(key)) return { field, message: say`property ${field} should not exist` };
    const inner = badPartIn((value as Record<string, unknown>)[key], field, depth + 1);
    if (inner !== undefined) return inner;
  }
  return undefined;
}
