import { type Catalog, CatalogError, loadCatalog, parseCatalog, validateCatalog } from '../../../lambdas/catalog/catalog';
import { ALL_CHECKS } from '../../../lambdas/checks/registry';
import { CHECKLIST_CHECK_IDS } from './checklist-check-ids';

const CHECKLIST_ITEM_IDS = [
  ...['SEC-DP-1', 'SEC-DP-2', 'SEC-DP-3', 'SEC-DP-4', 'SEC-DP-5'],
  ...['SEC-AM-1', 'SEC-AM-2', 'SEC-AM-3', 'SEC-AM-4', 'SEC-AM-5'],
  ...['SEC-IS-1', 'SEC-IS-2', 'SEC-IS-3', 'SEC-IS-4', 'SEC-IS-5'],
  ...['AVL-SR-1', 'AVL-SR-2', 'AVL-SR-3', 'AVL-SR-4', 'AVL-SR-5'],
  ...['AVL-PM-1', 'AVL-PM-2', 'AVL-PM-3', 'AVL-PM-4', 'AVL-PM-5'],
  ...['PI-MD-1', 'PI-MD-2', 'PI-MD-3', 'PI-MD-4', 'PI-MD-5'],
  ...['PI-DP-1', 'PI-DP-2', 'PI-DP-3', 'PI-DP-4', 'PI-DP-5'],
  ...['PI-CM-1', 'PI-CM-2', 'PI-CM-3', 'PI-CM-4', 'PI-CM-5'],
  ...['CONF-DP-1', 'CONF-DP-2', 'CONF-DP-3', 'CONF-DP-4', 'CONF-DP-5'],
  ...['CONF-SD-1', 'CONF-SD-2', 'CONF-SD-3', 'CONF-SD-4', 'CONF-SD-5'],
  ...['PRIV-PD-1', 'PRIV-PD-2', 'PRIV-PD-3', 'PRIV-PD-4', 'PRIV-PD-5'],
  ...['PRIV-CM-1', 'PRIV-CM-2', 'PRIV-CM-3', 'PRIV-CM-4', 'PRIV-CM-5'],
  ...['DOC-1', 'DOC-2', 'DOC-3', 'DOC-4', 'DOC-5'],
  'VND-1',
];

const clone = (catalog: Catalog): Catalog => JSON.parse(JSON.stringify(catalog));

describe('catalog', () => {
  const catalog = loadCatalog();

  it('holds the 66 checklist items, in checklist order', () => {
    // Act
    const ids = catalog.items.map((item) => item.id);
    // Assess
    expect(ids).toEqual(CHECKLIST_ITEM_IDS);
    expect(ids).toHaveLength(66);
  });

  it('names exactly the checks of the checklist, each used by some item', () => {
    // Act
    const problems = validateCatalog(catalog, CHECKLIST_CHECK_IDS);
    // Assess
    expect(problems).toEqual([]);
  });

  it('carries kinds, criteria and manual evidence as the checklist states them', () => {
    // Prepare
    const byId = new Map(catalog.items.map((item) => [item.id, item]));
    // Assess
    expect(byId.get('SEC-AM-5')).toMatchObject({
      kind: 'partial',
      criteria: ['CC6.2', 'CC6.3'],
      checks: ['iam.unused_credentials', 'iam.access_key_rotation'],
      manualEvidence: { freshnessDays: 90 },
    });
    expect(byId.get('PI-DP-4')?.criteria).toEqual(['C1.2', 'P4.2', 'PI1.5']);
    expect(byId.get('VND-1')).toMatchObject({ kind: 'manual', checks: [], manualEvidence: { freshnessDays: 365 } });
    expect(byId.get('SEC-IS-3')?.manualEvidence?.freshnessDays).toBe(30);
  });

  it('maps the revision 2 checks into the items the checklist names, keeping their kinds', () => {
    // Prepare
    const byId = new Map(catalog.items.map((item) => [item.id, item]));
    const mapping: [string, string[], string][] = [
      ['SEC-AM-2', ['iam.service_role_trust_scoped'], 'partial'],
      ['SEC-AM-4', ['ct.log_bucket_protected'], 'auto'],
      ['SEC-IS-5', ['ct.cloudwatch_logs'], 'partial'],
      ['CONF-SD-1', ['sm.training.no_secrets', 'sm.model.no_secrets'], 'partial'],
    ];
    // Assess
    for (const [item, checks, kind] of mapping) {
      expect(byId.get(item)).toMatchObject({ kind, checks: expect.arrayContaining(checks) });
    }
  });

  it('maps the security service checks of revision 2 into their items: five manual items become partial, at most 22 stay manual', () => {
    // Prepare
    const byId = new Map(catalog.items.map((item) => [item.id, item]));
    const mapping: [string, string, string][] = [
      ['PRIV-CM-4', 'macie.ml_bucket_discovery', 'partial'],
      ['CONF-DP-1', 'macie.ml_bucket_discovery', 'partial'],
      ['SEC-IS-5', 'guardduty.s3_protection', 'partial'],
      ['CONF-DP-5', 'guardduty.s3_protection', 'auto'],
      ['SEC-IS-3', 'inspector.ml_scanning', 'partial'],
      ['CONF-SD-2', 'inspector.ml_scanning', 'partial'],
      ['AVL-SR-3', 'backup.ml_data_protected', 'auto'],
      ['AVL-SR-2', 'backup.ml_data_protected', 'partial'],
      ['AVL-SR-5', 'backup.restore_tested', 'partial'],
      ['CONF-SD-5', 'securityhub.enabled', 'partial'],
    ];
    // Assess: items that were manual keep their manual evidence and its freshness
    for (const [item, check, kind] of mapping)
      expect(byId.get(item)).toMatchObject({ kind, checks: expect.arrayContaining([check]) });
    expect(byId.get('PRIV-CM-4')?.manualEvidence).toEqual({ description: 'Discovery results', freshnessDays: 90 });
    expect(byId.get('SEC-IS-3')?.manualEvidence).toEqual({ description: 'Scan results', freshnessDays: 30 });
    expect(byId.get('AVL-SR-5')?.manualEvidence).toEqual({ description: 'Failover test record', freshnessDays: 365 });
    expect(catalog.items.filter((item) => item.kind === 'manual').length).toBeLessThanOrEqual(22);
  });

  it('uses every check the registry implements so far', () => {
    // Act
    const problems = validateCatalog(
      catalog,
      ALL_CHECKS.map((check) => check.id),
    );
    // Assess: the only problems are checks other modules have not registered yet
    expect(problems.every((p) => /names check (iam|kms|ct|sm)\./.test(p))).toBe(true);
  });
});

describe('validateCatalog and parseCatalog', () => {
  const catalog = loadCatalog();

  it('reports a check that the registry does not have', () => {
    // Prepare
    const broken = clone(catalog);
    broken.items[0]!.checks.push('s3.made_up');
    // Act
    const problems = validateCatalog(broken, CHECKLIST_CHECK_IDS);
    // Assess
    expect(problems).toEqual(['SEC-DP-1 names check s3.made_up, which is not in the check registry']);
  });

  it('reports a registered check that no item uses', () => {
    // Act
    const problems = validateCatalog(catalog, [...CHECKLIST_CHECK_IDS, 's3.orphan']);
    // Assess
    expect(problems).toEqual(['check s3.orphan is used by no catalog item']);
  });

  it('refuses duplicate item ids', () => {
    // Prepare
    const broken = clone(catalog);
    broken.items[1]!.id = broken.items[0]!.id;
    // Act / Assess
    expect(() => parseCatalog(broken)).toThrow(/duplicate item id SEC-DP-1/);
  });

  it('refuses a malformed criterion', () => {
    // Prepare
    const broken = clone(catalog);
    broken.items[0]!.criteria = ['CC6.1', 'X9'];
    // Act / Assess
    expect(() => parseCatalog(broken)).toThrow(/items\.0\.criteria\.1: must be a TSC criterion/);
  });

  it('refuses a kind that contradicts checks and manual evidence', () => {
    // Prepare
    const broken = clone(catalog);
    broken.items[0]!.kind = 'manual';
    // Act / Assess
    expect(() => parseCatalog(broken)).toThrow(CatalogError);
  });

  it('with check ids, fails on the first registry mismatch with every problem listed', () => {
    // Act / Assess
    expect(() => parseCatalog(clone(catalog), ['s3.tls_only'])).toThrow(/names check s3\.default_encryption/);
  });

  it('reports an unreadable catalog file by path', () => {
    // Act / Assess
    expect(() => loadCatalog({ path: '/nonexistent/checklist.json' })).toThrow(
      /catalog \/nonexistent\/checklist.json cannot be read/,
    );
  });
});
