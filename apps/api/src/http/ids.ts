import { say } from '@ledger/domain';
import { Matches } from 'class-validator';
import { inWords } from './i18n/validation-words';

/** Client-chosen ids (api.md): what a stream name can hold without escaping. */
export const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The id rule in words, for people (a message never shows a regular expression). */
export const ID_IN_WORDS = say`1–64 letters, digits, dots, dashes or underscores, starting with a letter or digit`;

/** An id field (or, with `each`, a list of ids) of the contract's form. */
export function IsLedgerId(options: { each?: boolean } = {}) {
  return Matches(ID, {
    each: options.each ?? false,
    ...inWords((property) =>
      options.each
        ? say`${property} must hold ids of ${ID_IN_WORDS}`
        : say`${property} must be ${ID_IN_WORDS}`,
    ),
  });
}
