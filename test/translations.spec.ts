import * as ts from 'typescript';
import { templateOf } from '@ledger/domain';
import { ZH_CN } from '../apps/api/src/http/i18n/zh-CN';
import { nodes, production, where } from './support/sources';

/*
 * Every sentence the API can say is written once in English, as say`…`; the Chinese catalogue
 * must have each of them, no more, with the same values. A template added without a translation
 * fails here, not in front of a station attendant.
 */

/** Every say`…` template of the production code, with where it is written. */
function templatesInCode(): Map<string, string> {
  const found = new Map<string, string>();
  for (const source of production) {
    const tagged = nodes(
      source,
      (node) => ts.isTaggedTemplateExpression(node) && node.tag.getText() === 'say',
    ) as ts.TaggedTemplateExpression[];
    for (const node of tagged) {
      const template = node.template;
      const parts = ts.isNoSubstitutionTemplateLiteral(template)
        ? [template.text]
        : [template.head.text, ...template.templateSpans.map((span) => span.literal.text)];
      found.set(templateOf(parts), where(source, node));
    }
  }
  return found;
}

const placeholders = (text: string) => [...text.matchAll(/\{(\d+)\}/g)].map((m) => m[1]).sort();

describe('translations (Accept-Language: zh-CN)', () => {
  const inCode = templatesInCode();

  it('finds the templates it checks', () => {
    expect(inCode.size).toBeGreaterThan(150);
    expect(inCode.get('{0} does not exist')).toMatch(/domain-error\.ts/);
  });

  it('has a Chinese sentence for every template in the code', () => {
    const missing = [...inCode].filter(([template]) => !(template in ZH_CN));
    expect(missing).toEqual([]);
  });

  it('has no sentence the code no longer says', () => {
    expect(Object.keys(ZH_CN).filter((template) => !inCode.has(template))).toEqual([]);
  });

  it('keeps every value of a template, each once', () => {
    const changed = Object.entries(ZH_CN).filter(
      ([template, chinese]) => placeholders(template).join() !== placeholders(chinese).join(),
    );
    expect(changed).toEqual([]);
  });

  it('says each in Chinese (not the English copied)', () => {
    const untranslated = Object.entries(ZH_CN).filter(
      ([template, chinese]) => template !== '{0} {1}' && !/[\u4e00-\u9fff]/.test(chinese),
    );
    expect(untranslated).toEqual([]);
  });
});
