import i18next from 'i18next';
import { en } from './locales/en';
import { zhCN } from './locales/zh-CN';

export type Language = 'zh-CN' | 'en';
const KEY = 'ledger.language';

/** The chosen language: the one picked before in this browser, else Chinese. */
function initialLanguage(): Language {
  return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh-CN';
}

export const i18n = i18next.createInstance();
void i18n.init({
  lng: initialLanguage(),
  fallbackLng: 'zh-CN',
  resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
  interpolation: { escapeValue: false }, // Preact escapes what it renders
  initAsync: false,
});
document.documentElement.lang = i18n.language;

export const t = i18n.t.bind(i18n);

/**
 * A message kept to show after the act that said it (a status, a note): its key and values,
 * put in words when shown, so it follows a change of language.
 */
export type Said = readonly [key: string, values?: Record<string, unknown>];

/** A kept message in the language now chosen. */
export function words([key, values = {}]: Said): string {
  return t(key, values);
}

export function language(): Language {
  return i18n.language === 'en' ? 'en' : 'zh-CN';
}

export async function setLanguage(next: Language): Promise<void> {
  localStorage.setItem(KEY, next);
  await i18n.changeLanguage(next);
  document.documentElement.lang = next;
}
