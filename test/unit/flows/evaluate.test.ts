import { ALL_CHECKS } from '../../../lambdas/checks/registry';
import { COLLECTORS } from '../../../lambdas/collectors/registry';
import { parseConfig } from '../../../lambdas/config/schema';
import { checklist, evaluateEvidence, GLOBAL_COLLECTORS } from '../../../lambdas/flows/evaluate';

describe('the evaluate flow', () => {
  it('takes the account-wide collectors from the service descriptors, the same ones the collectors run once per account', () => {
    const runOncePerAccount = Object.values(COLLECTORS)
      .filter((collector) => collector.global)
      .map((collector) => collector.name);
    expect([...GLOBAL_COLLECTORS]).toEqual(runOncePerAccount);
    expect(GLOBAL_COLLECTORS.length).toBeGreaterThan(0);
  });

  it('judges every checklist item with every registered check, and an empty store decides nothing as PASS', () => {
    // Act
    const result = evaluateEvidence(
      { evidence: [], problems: [], recordsListed: 0 },
      {
        config: parseConfig({ regions: ['us-east-1'] }),
        now: new Date('2026-11-26T12:00:00.000Z'),
        facts: { location: '/tmp/x', reports: { generatedAt: [] } },
      },
    );
    // Assess
    expect(result.items.map((item) => item.id)).toEqual(checklist().items.map((item) => item.id));
    expect(result.checks.map((check) => check.id).sort()).toEqual(ALL_CHECKS.map((check) => check.id).sort());
    expect(result.summary.PASS).toBe(0);
  });
});
