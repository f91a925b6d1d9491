import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Answer } from './api';
import { t } from './i18n';

export type Fund = Answer<'/v1/funds', 'get'>['items'][number];

/** The fund an award is paid from, labelled 积分来源 (awards and hazard confirmations). */
export function FundSelect(props: {
  id: string;
  funds: readonly Fund[];
  value: string;
  onChange: (fundId: string) => void;
}) {
  return (
    <>
      <label for={props.id}>{t('staff.fund')}</label>
      <select
        id={props.id}
        value={props.value}
        onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}
      >
        {props.funds.map((f) => (
          <option key={f.id} value={f.id}>
            {f.name}
          </option>
        ))}
      </select>
    </>
  );
}

/** The funds an award may be paid from, the first chosen until another is. */
export function useFunds(onError: (error: unknown) => void) {
  const [funds, setFunds] = useState<Fund[]>([]);
  const [fundId, setFundId] = useState('');
  useEffect(() => {
    ok(api.GET('/v1/funds', { params: { query: { limit: 200 } } }))
      .then((page) => {
        setFunds(page.items);
        setFundId((f) => f || (page.items[0]?.id ?? ''));
      })
      .catch(onError);
  }, []);
  return { funds, fundId, setFundId };
}
