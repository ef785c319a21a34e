import { type Acknowledgment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildTestApp } from './synth';

/** Runs AwsSolutions over a prepared app, the way the synth-time plugin does. */
function nagViolations(acknowledgementFilter?: (rule: Acknowledgment) => boolean) {
  const original = Validations.prototype.acknowledge;
  const spy = jest.spyOn(Validations.prototype, 'acknowledge').mockImplementation(function (
    this: Validations,
    ...rules: Acknowledgment[]
  ) {
    original.apply(this, acknowledgementFilter ? rules.filter(acknowledgementFilter) : rules);
  });
  try {
    const { app } = buildTestApp({ regions: ['us-east-1', 'eu-west-1'] }, { nag: false });
    app.synth();
    return new AwsSolutionsChecks().validateScope(app).violations;
  } finally {
    spy.mockRestore();
  }
}

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding, and synth with the plugin succeeds', () => {
    // Prepare
    const { app } = buildTestApp({ regions: ['us-east-1', 'eu-west-1'] });
    // Act
    const violations = nagViolations();
    // Assess
    expect(violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(',')}`)).toEqual([]);
    expect(() => app.synth()).not.toThrow();
  });

  it('turns a removed acknowledgement back into a finding on the very resources it covered', () => {
    // Prepare: drop only the dead-letter queues' SQS3 acknowledgement
    const withoutQueueAck = (rule: Acknowledgment) => rule.id !== 'AwsSolutions-SQS3';
    // Act
    const violations = nagViolations(withoutQueueAck);
    // Assess
    expect(violations.map((v) => v.ruleName)).toEqual(['AwsSolutions-SQS3']);
    expect(violations[0]!.violatingResources.map((r) => r.constructPath)).toEqual(
      ['s3', 'iam', 'kms', 'sagemaker', 'cloudtrail'].map((c) => `Soc2MlEvidence/Collector-${c}/DeadLetters/Resource`),
    );
  });

  it('acknowledges wildcard resources one by one, so a missing one is reported by name', () => {
    // Prepare: drop the acknowledgements of "*" (actions without resource-level permissions)
    const withoutStarAck = (rule: Acknowledgment) => rule.id !== 'AwsSolutions-IAM5[Resource::*]';
    // Act
    const violations = nagViolations(withoutStarAck);
    // Assess
    expect(violations.map((v) => v.ruleName)).toEqual(['AwsSolutions-IAM5[Resource::*]']);
    expect(violations[0]!.violatingResources).toHaveLength(5);
  });

  it('fails synth when the plugin finds an unacknowledged problem', () => {
    // Prepare
    const spy = jest.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => undefined);
    const { app } = buildTestApp();
    spy.mockRestore();
    // Act / Assess
    expect(() => app.synth()).toThrow(/AwsSolutions-/);
  });
});
