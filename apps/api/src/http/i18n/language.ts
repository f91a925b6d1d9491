import { negotiate } from '@fastify/accept-negotiator';
import { render, type Said } from '@ledger/domain';
import i18next from 'i18next';
import { ZH_CN } from './zh-CN';

/**
 * The languages the API answers errors in: English (the default, and the words in the code) and
 * Simplified Chinese, chosen by `Accept-Language`. Translations are looked up with i18next, keyed
 * by the English template (gettext-style), so nothing is written twice in English.
 */
export type Language = 'en' | 'zh-CN';

/** Tags `Accept-Language` may name for each language (the negotiator matches whole tags). */
const TAGS = ['en', 'en-US', 'en-GB', 'zh-CN', 'zh', 'zh-Hans', 'zh-Hans-CN', 'zh-SG'];

/** The language to answer in: the caller's first choice among those the API speaks, else English. */
export function languageOf(acceptLanguage: string | string[] | undefined): Language {
  const header = Array.isArray(acceptLanguage) ? acceptLanguage.join(',') : acceptLanguage;
  const tag = header ? negotiate(header, TAGS) : null;
  return tag?.startsWith('zh') ? 'zh-CN' : 'en';
}

const i18n = i18next.createInstance();
void i18n.init({
  resources: { 'zh-CN': { translation: ZH_CN } },
  lng: 'en',
  fallbackLng: false,
  // Keys are English sentences: dots and colons in them are words, not paths or namespaces.
  keySeparator: false,
  nsSeparator: false,
  // Values are filled in by `render` ({0}, {1}); i18next only finds the words.
  interpolation: { escapeValue: false },
  initAsync: false,
});

function translation(language: Language): (template: string) => string {
  if (language === 'en') return (template) => template;
  return (template) => i18n.t(template, { lng: language, defaultValue: template });
}

/** Words in a language; a template with no translation stays in English. */
export function wordsIn(language: Language, said: Said): string {
  return render(said, translation(language));
}
