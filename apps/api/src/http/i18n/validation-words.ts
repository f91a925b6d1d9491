import { render, say, verbatim, type Said } from '@ledger/domain';
import {
  getMetadataStorage,
  type ValidationArguments,
  type ValidationError,
  type ValidationOptions,
} from 'class-validator';

/**
 * Validation messages as words the API can translate. A DTO's own message is given with
 * `inWords` (kept in the decorator's context); class-validator's built-in checks are said here,
 * in its English, with the limits they were declared with.
 */

type Words = (property: string) => Said;

/** A decorator's message: English for class-validator, the same words for other languages. */
export function inWords(words: Words): Pick<ValidationOptions, 'message' | 'context'> {
  return {
    message: (args: ValidationArguments) => render(words(args.property)),
    context: { words },
  };
}

/** What a failed check says: the DTO's own words, a built-in check's, or class-validator's text. */
export function messageOf(error: ValidationError, check: string, english: string): Said {
  const context = error.contexts?.[check] as { words?: Words } | undefined;
  if (context?.words) return context.words(error.property);
  const each = english.startsWith('each value in ');
  const said = builtIn(error, check);
  if (said === undefined) return verbatim(english);
  return each ? say`each value in ${said}` : said;
}

function builtIn(error: ValidationError, check: string): Said | undefined {
  const p = error.property;
  const [a, b] = limitsOf(error, check);
  switch (check) {
    case 'isInt':
      return say`${p} must be an integer number`;
    case 'isString':
      return say`${p} must be a string`;
    case 'isArray':
      return say`${p} must be an array`;
    case 'min':
      return say`${p} must not be less than ${String(a)}`;
    case 'max':
      return say`${p} must not be greater than ${String(a)}`;
    case 'arrayMinSize':
      return say`${p} must contain at least ${String(a)} elements`;
    case 'arrayMaxSize':
      return say`${p} must contain no more than ${String(a)} elements`;
    case 'isIn':
      return say`${p} must be one of the following values: ${Array.isArray(a) ? a.join(', ') : ''}`;
    case 'isLength':
      return typeof error.value === 'string' && error.value.length < Number(a)
        ? say`${p} must be longer than or equal to ${String(a)} characters`
        : say`${p} must be shorter than or equal to ${String(b)} characters`;
    case 'nestedValidation':
      return say`nested property ${p} must be either object or array`;
    case 'whitelistValidation':
      return say`property ${p} should not exist`;
    default:
      return undefined;
  }
}

/** The values a check was declared with (`@Max(1000)`: [1000]), from class-validator's metadata. */
function limitsOf(error: ValidationError, check: string): readonly unknown[] {
  const target = error.target?.constructor;
  if (target === undefined) return [];
  const storage = getMetadataStorage();
  const declared = storage
    .getTargetValidationMetadatas(target, '', true, false)
    .filter((metadata) => metadata.propertyName === error.property)
    .find((metadata) =>
      storage
        .getTargetValidatorConstraints(metadata.constraintCls)
        .some((constraint) => constraint.name === check),
    );
  return (declared?.constraints as unknown[] | undefined) ?? [];
}
