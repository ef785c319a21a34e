import rawTemplates from '../../../catalog/templates.json';
import { type Catalog, CatalogError, loadCatalog } from '../../../lambdas/catalog/catalog';
import {
  COMMON_FIELDS,
  itemsNeedingEvidence,
  loadTemplates,
  packagedTemplate,
  parseTemplates,
  renderTemplateMarkdown,
} from '../../../lambdas/catalog/templates';
import { ALL_CHECKS } from '../../../lambdas/checks/registry';

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value));

describe('manual evidence templates', () => {
  const catalog = loadCatalog({ checkIds: ALL_CHECKS.map((check) => check.id) });

  it('has exactly one template for every manual or partial item of the checklist, and none for others', () => {
    // Prepare: read from the checklist itself, so items that gain checks or become partial stay covered.
    const needing = catalog.items.filter((item) => item.kind !== 'auto' || item.manualEvidence !== null).map((item) => item.id);
    // Act
    const ids = rawTemplates.templates.map((template) => template.itemId);
    // Assess
    expect([...ids].sort()).toEqual([...needing].sort());
    expect(new Set(ids).size).toBe(ids.length);
    expect(loadTemplates(catalog).size).toBe(needing.length);
  });

  it('renders each template naming the item id, title, freshness, fields and the automated checks from the catalog', () => {
    // Prepare
    const templates = loadTemplates(catalog);
    for (const item of itemsNeedingEvidence(catalog)) {
      // Act
      const markdown = renderTemplateMarkdown(item, templates.get(item.id)!, ALL_CHECKS);
      // Assess
      expect(markdown.startsWith(`# ${item.id}: ${item.title}\n`)).toBe(true);
      expect(markdown).toContain(`**${item.manualEvidence!.description}**`);
      expect(markdown).toContain(String(item.manualEvidence!.freshnessDays));
      for (const field of COMMON_FIELDS) expect(markdown).toContain(`| ${field.name} | |`);
      for (const check of item.checks) {
        const passCondition = ALL_CHECKS.find((c) => c.id === check)!.passCondition;
        expect(markdown).toContain(`- \`${check}\`: ${passCondition}`);
      }
      if (item.checks.length === 0) expect(markdown).toContain('None: this item rests on this document alone.');
    }
  });

  it('refuses a missing template, a duplicate and a template for an item that needs no manual evidence', () => {
    // Prepare
    const missing = clone(rawTemplates);
    missing.templates = missing.templates.filter((t) => t.itemId !== 'SEC-AM-5');
    const duplicate = clone(rawTemplates);
    duplicate.templates.push(clone(duplicate.templates[0]!));
    const forAuto = clone(rawTemplates);
    forAuto.templates.push({ ...clone(forAuto.templates[0]!), itemId: 'SEC-DP-1' });
    // Act / Assess
    expect(() => parseTemplates(missing, catalog)).toThrow('templates: no template for SEC-AM-5, which needs manual evidence');
    expect(() => parseTemplates(duplicate, catalog)).toThrow(`more than one template for ${rawTemplates.templates[0]!.itemId}`);
    expect(() => parseTemplates(forAuto, catalog)).toThrow('template for SEC-DP-1, which is not a checklist item');
  });

  it('requires a template for an item that turns partial by gaining checks, and refuses unknown keys', () => {
    // Prepare: a manual item gains an automated check (as revision-2 checks do).
    const changed: Catalog = clone(catalog);
    const item = changed.items.find((i) => i.id === 'CONF-SD-2')!;
    item.kind = 'partial';
    item.checks = ['s3.tls_only'];
    const unknownKey = clone(rawTemplates) as unknown as { templates: Record<string, unknown>[] };
    unknownKey.templates[0]!.owner = 'x';
    // Act / Assess
    expect(parseTemplates(rawTemplates, changed).get('CONF-SD-2')).toBeDefined();
    expect(() => parseTemplates(unknownKey, catalog)).toThrow(CatalogError);
  });

  it('finds the packaged template of an item without the catalog', () => {
    expect(packagedTemplate('SEC-AM-5')?.expects.length).toBeGreaterThan(0);
    expect(packagedTemplate('SEC-DP-1')).toBeUndefined();
  });
});
