import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_ROLES, rolesMarkdown, ROUTES } from './route-policy';

describe('the route table', () => {
  it('is what docs/roles.md says (npm run docs:roles writes it anew)', () => {
    const file = readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'roles.md'), 'utf8');
    expect(file).toBe(rolesMarkdown());
  });

  it('gives every route a summary, roles it knows, and scope notes only for roles it lets in', () => {
    for (const [route, rule] of Object.entries(ROUTES)) {
      expect({ route, summary: rule.summary.length > 3 }).toEqual({ route, summary: true });
      expect(rule.roles.every((role) => ALL_ROLES.includes(role))).toBe(true);
      for (const role of Object.keys(rule.scope ?? {}))
        expect({ route, role, allowed: rule.roles.some((r) => r === role) }).toEqual({
          route,
          role,
          allowed: true,
        });
    }
  });
});
