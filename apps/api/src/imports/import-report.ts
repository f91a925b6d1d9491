import type { RowVerdict } from '@ledger/domain';
import type { ImportReport } from '@ledger/ledger';
import { wordsIn, type Language } from '../http/i18n/language';

/** A row's verdict as clients read it (docs/api.md, "Imports"): its reason in their language. */
export function verdictJson(verdict: RowVerdict, language: Language): Record<string, unknown> {
  const { refusal, ...rest } = verdict;
  return {
    ...rest,
    ...(refusal && { code: refusal.code, reason: wordsIn(language, refusal.said) }),
  };
}

/** A check's report as clients read it: the counts and every row's verdict. */
export function importReportJson(report: ImportReport, language: Language) {
  const { verdicts, toWrite: _toWrite, ...summary } = report;
  return { ...summary, items: verdicts.map((v) => verdictJson(v, language)) };
}
