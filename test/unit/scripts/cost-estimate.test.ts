import { PRICES, REFERENCE_ACCOUNT, renderCostMarkdown, soc2MlCost, tieredEvaluationCost } from '../../../scripts/cost-estimate';

describe('cost estimate', () => {
  it('counts Lambda requests from the schedules and the change path', () => {
    // Prepare: 4 runs a day for s3, iam, kms, cloudtrail and the five security services, 24 for sagemaker; two functions per change; one report a day.
    const expected = (9 * 4 + 24) * 30 + REFERENCE_ACCOUNT.changeEventsPerDay * 30 * 2 + 30;

    // Act
    const lambda = soc2MlCost().find((l) => l.item.startsWith('requests'));

    // Assess
    expect(lambda).toMatchObject({ service: 'Lambda', quantity: expected });
    expect(lambda?.usd).toBeCloseTo((expected / 1e6) * PRICES.lambdaPerMillionRequests, 10);
  });

  it('prices S3 PUTs per thousand', () => {
    const put = soc2MlCost().find((l) => l.item.startsWith('PUT'));
    expect(put?.quantity).toBe(1800 + 9000 + 30 + 30 * 8);
    expect(put?.usd).toBeCloseTo(11.07 * 0.005, 10);
  });

  it('applies the volume tiers to evaluations', () => {
    expect(tieredEvaluationCost(50_000)).toBeCloseTo(50, 10);
    expect(tieredEvaluationCost(212_400)).toBeCloseTo(100 + 112_400 * 0.0008, 10);
  });

  it('prints the same Markdown every time, with the side-by-side table', () => {
    const first = renderCostMarkdown();
    expect(renderCostMarkdown()).toBe(first);
    expect(first).toMatch(/\| soc2-ml-evidence \(this app\) \| \$\d+\.\d\d \|/);
    expect(first).toMatch(/\| Same checks as AWS Config rules \| \$\d+\.\d\d \|/);
    expect(first).toMatch(/\| Same checks as Security Hub controls \| \$\d+\.\d\d \|/);
    expect(first).toContain('as of 2026-11 list prices, check the AWS pricing pages');
  });
});
