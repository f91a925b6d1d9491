import type { Answer } from './api';
import { wallTime } from './format';
import { t } from './i18n';
import type { Community } from './places';

type Rider = Answer<'/v1/riders/{id}', 'get'>;
type Task = Answer<'/v1/tasks', 'get'>['items'][number];
type Standing = { rank: number; riderId: string; name?: string | null; points: number };

/** A rider's balance, large, and the badges it has earned (station and the rider's own page). */
export function BalanceAndBadges({ rider, testId }: { rider: Rider; testId: string }) {
  return (
    <>
      <p class="balance">
        {t('station.balance')}: <strong data-testid={testId}>{rider.balance}</strong>
      </p>
      <p>
        {t('station.badges')}:{' '}
        {rider.badges.length === 0
          ? t('station.noBadges')
          : rider.badges.map((b) => b.name).join('、')}
      </p>
    </>
  );
}

/** A task's points, places taken and window, in the deployment's time. */
export function TaskFacts({ task }: { task: Task }) {
  return (
    <p>
      {t('tasks.facts', {
        points: task.points,
        taken: task.taken,
        slots: task.slots,
        from: wallTime(task.startsAt),
        to: wallTime(task.endsAt),
      })}
    </p>
  );
}

/** The community a form is about, among those the principal may see (labelled 社区). */
export function CommunitySelect(props: {
  id: string;
  value: string;
  communities: readonly Community[];
  onChange: (e: Event) => void;
}) {
  return (
    <>
      <label for={props.id}>{t('staff.community')}</label>
      <select id={props.id} value={props.value} onChange={props.onChange}>
        {props.communities.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </select>
    </>
  );
}

/** Places on a board or a selection's winners: rank, the rider's name (or erased) and points. */
export function Standings({ rows }: { rows: readonly Standing[] }) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{t('boards.rank')}</th>
          <th scope="col">{t('boards.rider')}</th>
          <th scope="col">{t('boards.points')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.riderId}>
            <td>{row.rank}</td>
            <td>
              {row.name ?? t('boards.erased')} <small>{row.riderId}</small>
            </td>
            <td>{row.points}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
