import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configKeyDocs, configReferenceMarkdown } from '../../../lambdas/config/reference';

const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');

describe('README configuration reference', () => {
  it('is the table generated from the schema (run npm run docs:config after changing it)', () => {
    const block = readme.split('<!-- config-reference:start -->')[1]?.split('<!-- config-reference:end -->')[0]?.trim();
    expect(block).toBe(configReferenceMarkdown());
  });

  it('describes every key', () => {
    const undocumented = configKeyDocs()
      .filter((d) => d.description.trim() === '')
      .map((d) => d.key);
    expect(undocumented).toEqual([]);
  });
});
