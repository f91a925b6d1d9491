import { parseInstant, say } from '@ledger/domain';
import { inWords } from './i18n/validation-words';
import { ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * A date and time with its offset (ISO 8601: `2026-12-03T20:00:00+08:00` or `…Z`). A time
 * without an offset is refused: `2026-12-03 10:00` would be 10:00 where? With `endOfDay`, `24:00`
 * is taken as the end of that day.
 */
export function IsInstant(options: { endOfDay?: boolean } = {}, validation?: ValidationOptions) {
  const words = inWords((property) =>
    options.endOfDay
      ? say`${property} must be a date and time with its offset, such as 2026-06-30T24:00:00+08:00 (the end of that day)`
      : say`${property} must be a date and time with its offset, such as 2026-12-03T20:00:00+08:00`,
  );
  return ValidateBy(
    {
      name: 'isInstant',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && parseInstant(value, options) !== undefined,
      },
    },
    { ...words, ...validation },
  );
}
