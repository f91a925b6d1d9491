/*
 * Words for people. Every refusal is written once, in English, as a tagged template:
 * say`rider ${riderId} has ${balance} points`. Its template ("rider {0} has {1} points") is the
 * key a translation is looked up by, gettext-style, and its values are filled in afterwards, so
 * the API can answer in the caller's language (Accept-Language) while the domain stays in one.
 */

export type SaidValue = string | number | Said;

export interface Said {
  /** The English words, `{0}`, `{1}`… where the values go: the key of every translation. */
  readonly template: string;
  readonly values: readonly SaidValue[];
  /** Words stored before (a reason kept in an event): said as they were, never translated. */
  readonly verbatim?: true;
}

export function say(strings: TemplateStringsArray, ...values: SaidValue[]): Said {
  return { template: templateOf(strings), values };
}

/** The key a translation has: the literal parts joined by `{i}`. */
export function templateOf(parts: readonly string[]): string {
  return parts.reduce((template, part, i) => (i === 0 ? part : `${template}{${i - 1}}${part}`), '');
}

/** Words kept from before, in the language they were written in. */
export function verbatim(text: string): Said {
  return { template: text, values: [], verbatim: true };
}

/**
 * The words in a language: `translate` gives a template's translation (or the template itself,
 * English, when there is none); values that are words themselves are translated the same way.
 */
export function render(said: Said, translate: (template: string) => string = (t) => t): string {
  if (said.verbatim) return said.template;
  return translate(said.template).replace(/\{(\d+)\}/g, (whole, index: string) => {
    const value = said.values[Number(index)];
    if (value === undefined) return whole;
    return typeof value === 'object' ? render(value, translate) : String(value);
  });
}
