import { randomUUID } from 'node:crypto';
import { openEmbeddedDatabase, NO_STREAM, type EventStore } from '@ledger/event-store';
import { ReadModels } from '@ledger/projections';
import { SHANGHAI } from '@ledger/testing';
import { tokenHash } from '../infrastructure/bearer-tokens';
import { KeptTexts, textDigest } from './kept-texts';
import { PrincipalTokens } from './principal-tokens';

describe('beside the log: principal tokens and kept texts', () => {
  let events: EventStore;
  let models: ReadModels;
  let tokens: PrincipalTokens;
  let texts: KeptTexts;

  beforeAll(async () => {
    const db = await openEmbeddedDatabase({ dataDir: 'memory://' });
    events = db.events;
    models = await ReadModels.open(events, db.sql, { schema: 'read', timeZone: SHANGHAI });
    tokens = await PrincipalTokens.open(db.sql);
    texts = await KeptTexts.open(db.sql);
  });
  afterAll(() => events.close());

  const created = (schemaVersion: number, data: Record<string, unknown>) => ({
    eventId: randomUUID(),
    type: 'PrincipalCreated',
    schemaVersion,
    data: { role: 'staff', communityIds: ['c1'], stationIds: [], ...data },
    metadata: {},
  });

  it('authenticates the token its event names, and a version-1 event’s hash; nothing else', async () => {
    const named = await tokens.issue('new', tokenHash('named-token'));
    await tokens.issue('new', tokenHash('unnamed-token')); // a refused or crashed creation's
    await tokens.issue('ghost', tokenHash('ghost-token')); // no event at all
    const name = await texts.keep('principal:new', '几江街道社区工作站');
    await events.append(
      'principal-new',
      [created(2, { principalId: 'new', name, token: { tokenId: named } })],
      { expectedRevision: NO_STREAM },
    );
    await events.append(
      'principal-old',
      [created(1, { principalId: 'old', name: '老账号', tokenHash: tokenHash('old-token') })],
      { expectedRevision: NO_STREAM },
    );
    await models.catchUp();

    expect(await tokens.principalOf(models, tokenHash('named-token'))).toMatchObject({
      principalId: 'new',
      communityIds: ['c1'],
      tokenHash: tokenHash('named-token'),
    });
    expect(await tokens.principalOf(models, tokenHash('old-token'))).toMatchObject({
      principalId: 'old',
      tokenHash: tokenHash('old-token'),
    });
    expect(await tokens.principalOf(models, tokenHash('unnamed-token'))).toBeUndefined();
    expect(await tokens.principalOf(models, tokenHash('ghost-token'))).toBeUndefined();
  });

  it('keeps a text whose digest proves it, under a key that differs per text', async () => {
    const kept = await texts.keep('rider:r1', '滨江路井盖破损');
    const again = await texts.keep('rider:r1', '滨江路井盖破损');
    expect(kept.digest).not.toBe(again.digest); // the same words do not give the same digest
    expect(await texts.matches(kept)).toBe(true);
    expect(await texts.matches({ ...kept, digest: again.digest })).toBe(false);
    expect(textDigest(Buffer.alloc(32), 'x')).toMatch(/^[0-9a-f]{64}$/);
    await texts.forget(kept.textId);
    expect(await texts.matches(kept)).toBeUndefined();
    expect(await texts.textsOf([kept.textId, again.textId, null])).toEqual(
      new Map([[again.textId, '滨江路井盖破损']]),
    );
  });
});
