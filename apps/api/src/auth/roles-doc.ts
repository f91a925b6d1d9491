import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rolesMarkdown } from './route-policy';

/** `npm run docs:roles`: writes docs/roles.md from the route table. */
const file = join(__dirname, '..', '..', '..', '..', '..', 'docs', 'roles.md');
writeFileSync(file, rolesMarkdown());
console.log(`wrote ${file}`);
