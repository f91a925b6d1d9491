import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { problemOf, ProblemException } from './problem';

/**
 * DTOs are validated with class-validator: unknown fields are refused (a misspelt field never
 * passes silently), values are converted only where a DTO says so, and every failure is listed
 * as `errors: [{ field, message }]` under VALIDATION_FAILED.
 */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    exceptionFactory: (errors) =>
      new ProblemException(
        problemOf('VALIDATION_FAILED', 'the request is not valid', flatten(errors)),
      ),
  });
}

function flatten(
  errors: readonly ValidationError[],
  prefix = '',
): { field: string; message: string }[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
