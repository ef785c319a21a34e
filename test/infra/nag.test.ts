import { type Acknowledgment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Soc2MlConfigInput } from '../../lambdas/config/schema';
import { COLLECTOR_NAMES } from '../../lambdas/evidence/record';
import type { Soc2MlAppOptions } from '../../lib/soc2-ml-app';
import { buildTestApp } from './synth';

const REGIONS = { regions: ['us-east-1', 'eu-west-1'] };

/** Runs AwsSolutions over a prepared app, the way the synth-time plugin does. */
function nagViolations(
  acknowledgementFilter?: (rule: Acknowledgment) => boolean,
  config: Soc2MlConfigInput = REGIONS,
  options: Soc2MlAppOptions = {},
) {
  const original = Validations.prototype.acknowledge;
  const spy = jest.spyOn(Validations.prototype, 'acknowledge').mockImplementation(function (
    this: Validations,
    ...rules: Acknowledgment[]
  ) {
    original.apply(this, acknowledgementFilter ? rules.filter(acknowledgementFilter) : rules);
  });
  try {
    const { app } = buildTestApp(config, { ...options, nag: false });
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
    expect(violations[0]!.violatingResources.map((r) => r.constructPath).sort()).toEqual(
      [...COLLECTOR_NAMES.map((c) => `Collector-${c}`), 'Report']
        .map((owner) => `Soc2MlEvidence/${owner}/DeadLetters/Resource`)
        .sort(),
    );
  });

  it('acknowledges wildcard resources one by one, so a missing one is reported by name', () => {
    // Prepare: drop the acknowledgements of "*" (actions without resource-level permissions)
    const withoutStarAck = (rule: Acknowledgment) => rule.id !== 'AwsSolutions-IAM5[Resource::*]';
    // Act
    const violations = nagViolations(withoutStarAck);
    // Assess
    expect(violations.map((v) => v.ruleName)).toEqual(['AwsSolutions-IAM5[Resource::*]']);
    expect(violations[0]!.violatingResources.map((r) => r.constructPath).sort()).toEqual(
      // Every collector with an action that supports no resource-level permission (Security Hub's both do).
      [...COLLECTOR_NAMES.filter((c) => c !== 'securityhub').map((c) => `Collector-${c}`), 'ChangeEvents']
        .map((owner) => `Soc2MlEvidence/${owner}/Role/Resource`)
        .sort(),
    );
  });

  it('reports nothing for any stack of an app homed in eu-west-1 with forwarders, a trail and a Slack secret', () => {
    // Prepare
    const config = {
      regions: ['us-east-1', 'eu-west-1', 'eu-central-1'],
      createTrail: true,
      slack: { webhookSecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:slack-AbCdEf' },
    };
    // Act
    const violations = nagViolations(undefined, config, { env: { account: '111122223333', region: 'eu-west-1' } });
    // Assess
    expect(violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(',')}`)).toEqual([]);
  });

  it("acknowledges the auditor query policy's two object wildcards by name, and only on that policy", () => {
    // Prepare: drop the acknowledgements of evidence/v1/* reads and results/* writes for auditors
    const withoutAuditorAcks = (rule: Acknowledgment) => !/^(Auditors read|Athena names)/.test(rule.reason);
    // Act
    const violations = nagViolations(withoutAuditorAcks);
    // Assess
    expect(violations.map((v) => v.ruleName).sort()).toEqual([
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<AthenaResultsBucket\w+\.Arn>\/results\/\*\]$/),
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<EvidenceBucket\w+\.Arn>\/evidence\/v1\/\*\]$/),
    ]);
    expect(new Set(violations.flatMap((v) => v.violatingResources.map((r) => r.constructPath)))).toEqual(
      new Set(['Soc2MlEvidence/Athena/Auditor/Policy/Resource']),
    );
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
