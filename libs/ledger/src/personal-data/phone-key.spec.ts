import { PGlite } from '@electric-sql/pglite';
import { phoneKeyOf } from '@ledger/domain';
import { phoneKeySql } from './personal-data.store';

describe('the key two phone numbers are the same by', () => {
  it('is the same in the check of an import (TypeScript) as in the district’s table (SQL)', async () => {
    const db = await PGlite.create();
    try {
      const phones = [
        '13800000001',
        '138-0000-0001',
        '138 0000 0001',
        '+86 138 0000 0001',
        '008613800000001',
        '8613800000001',
        '+86 23 4752 1234', // a landline keeps its country code
        '023-4752-1234',
        '12345',
        '+1 415 555 0100',
        '---',
      ];
      for (const phone of phones) {
        const { rows } = await db.query<{ key: string | null }>(
          `select ${phoneKeySql('$1::text')} as key`,
          [phone],
        );
        expect({ phone, key: phoneKeyOf(phone) ?? null }).toEqual({ phone, key: rows[0].key });
      }
      expect(phoneKeyOf('+86 138-0000-0001')).toBe('13800000001');
    } finally {
      await db.close();
    }
  });
});
