import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_SCHEMA_VERSIONS } from './events';

describe('docs/event-catalogue.md', () => {
  const catalogue = readFileSync(
    join(__dirname, '..', '..', '..', 'docs', 'event-catalogue.md'),
    'utf8',
  );

  it.each(Object.entries(EVENT_SCHEMA_VERSIONS))(
    'lists %s at schema version %i',
    (type, version) => {
      expect(catalogue).toMatch(new RegExp(`\\| \`${type}\` \\| ${version} \\|`));
    },
  );
});
