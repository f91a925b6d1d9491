import { Problem } from './api';
import { t } from './i18n';

/** A failure in the chosen language (the API's own words), with what to do next when known. */
export function ProblemNote({ error, next }: { error: unknown; next?: string | undefined }) {
  if (!error) return null;
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
      {next && <p>{next}</p>}
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
