import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Answer } from './api';
import { t } from './i18n';

export type Fund = Answer<'/v1/funds', 'get'>['items'][number];

/** A labelled choice among named things (funds, communities, tasks…), by id. */
export function Picker(props: {
  id: string;
  label: string;
  options: readonly { id: string; name: string }[];
  value: string;
  onChange: (id: string) => void;
}) {
  return (
    <>
      <label for={props.id}>{props.label}</label>
      <select
        id={props.id}
        value={props.value}
        onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}
      >
        {props.options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>
    </>
  );
}

/** The fund an award is paid from, labelled 积分来源 (awards and hazard confirmations). */
export function FundSelect(props: {
  id: string;
  funds: readonly Fund[];
  value: string;
  onChange: (fundId: string) => void;
}) {
  return (
    <Picker
      id={props.id}
      label={t('staff.fund')}
      options={props.funds}
      value={props.value}
      onChange={props.onChange}
    />
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
