import { COLLECTOR_READ_ACTIONS, COLLECTOR_READ_GRANTS, expandArnPattern } from '../../../lambdas/collectors/permissions';
import { COLLECTOR_NAMES } from '../../../lambdas/evidence/record';

describe('collector read permissions', () => {
  it('lists exact, read-only, non-duplicated actions for every collector', () => {
    // Act
    const all = COLLECTOR_NAMES.map((name) => COLLECTOR_READ_ACTIONS[name]);
    // Assess
    for (const actions of all) {
      expect(actions.length).toBeGreaterThan(0);
      expect(new Set(actions).size).toBe(actions.length);
      expect(actions.filter((action) => action.includes('*'))).toEqual([]);
      expect(actions.filter((action) => !/^[a-z0-9-]+:(List|Get|BatchGet|Describe|Generate)[A-Za-z]+$/.test(action))).toEqual([]);
    }
    // GenerateCredentialReport is the one non-Get/List call: it writes nothing but a report IAM caches.
    expect(COLLECTOR_READ_ACTIONS.iam).toContain('iam:GenerateCredentialReport');
  });

  it('reads Macie configuration only: no call that returns findings or their sensitive data samples', () => {
    // Assess
    expect(COLLECTOR_READ_ACTIONS.macie.filter((action) => /Finding|SensitiveData|Occurrence|Reveal/.test(action))).toEqual([]);
  });

  it('flattens the grants in table order', () => {
    // Assess
    expect(COLLECTOR_READ_ACTIONS.kms).toEqual([
      'kms:ListKeys',
      'kms:ListAliases',
      'kms:DescribeKey',
      'kms:GetKeyRotationStatus',
      'kms:GetKeyPolicy',
      'kms:ListResourceTags',
    ]);
    expect(COLLECTOR_READ_GRANTS.s3[0]!.resources).toBe('*');
  });

  it('expands an ARN pattern once per region, and once for a pattern without a region', () => {
    // Prepare
    const values = { partition: 'aws', account: '111122223333', regions: ['us-east-1', 'eu-west-1'] };
    // Act
    const regional = expandArnPattern('arn:{partition}:kms:{region}:{account}:key/*', values);
    const global = expandArnPattern('arn:{partition}:iam::{account}:user/*', values);
    // Assess
    expect(regional).toEqual(['arn:aws:kms:us-east-1:111122223333:key/*', 'arn:aws:kms:eu-west-1:111122223333:key/*']);
    expect(global).toEqual(['arn:aws:iam::111122223333:user/*']);
  });
});
