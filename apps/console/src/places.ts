import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Answer } from './api';

export type Community = Answer<'/v1/communities', 'get'>['items'][number];

/** The communities the principal may see (every page of them), for pickers of places. */
export function useCommunities(onError: (e: unknown) => void): Community[] {
  const [communities, setCommunities] = useState<Community[]>([]);
  useEffect(() => {
    const all: Community[] = [];
    const read = async (cursor?: string): Promise<void> => {
      const page = await ok(
        api.GET('/v1/communities', {
          params: { query: { limit: 200, ...(cursor && { cursor }) } },
        }),
      );
      all.push(...page.items);
      if (page.nextCursor) return read(page.nextCursor);
    };
    read()
      .then(() => setCommunities(all))
      .catch(onError);
  }, []);
  return communities;
}

/** The districts and streets those communities are in, each once, in order. */
export function districtsOf(communities: readonly Community[]): string[] {
  return [...new Set(communities.map((c) => c.district))];
}
export function streetsOf(communities: readonly Community[]): string[] {
  return [...new Set(communities.map((c) => c.street))];
}
