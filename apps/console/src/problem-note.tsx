import { Problem } from './api';
import { t } from './i18n';

/** What to do after a refusal of this status, when the page knows nothing better. */
function nextStep(error: unknown): string | undefined {
  if (!(error instanceof Problem)) return undefined;
  const { status } = error;
  if (status === 401) return t('problem.next.signIn');
  if (status === 403) return t('problem.next.forbidden');
  if (status === 404) return t('problem.next.notFound');
  if (status === 409) return t('problem.next.conflict');
  if (status === 400 || status === 422) return t('problem.next.invalid');
  if (status === 429) return t('problem.next.rateLimited');
  if (status >= 500) return t('problem.next.server');
  return undefined;
}

/**
 * A failure in the chosen language (the API's own words), with what to do next: the page's own
 * advice when it has some, else the general step for the refusal's status.
 */
export function ProblemNote({ error, next }: { error: unknown; next?: string | undefined }) {
  if (!error) return null;
  const advice = next ?? nextStep(error);
  const text =
    error instanceof Problem
      ? error.message
      : error instanceof TypeError
        ? t('problem.network')
        : t('problem.unknown', { status: error instanceof Error ? error.message : '?' });
  const fields = error instanceof Problem ? error.errors : [];
  return (
    <div role="alert" class="problem">
      <p>{text}</p>
      {advice && <p>{advice}</p>}
      {fields.length > 0 && (
        <ul>
          {fields.map((f) => (
            <li key={f.field}>{f.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
