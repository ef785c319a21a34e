import { Match, Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../lambdas/config/schema';
import { buildTestApp } from './synth';
import { allIamStatements, asArray, logicalIdOf, objectPatterns, type PolicyStatementJson } from './templates';

const SCHEDULE = 'cron(30 5 * * ? *)';

interface RoleJson {
  Properties: { Policies: { PolicyName: string; PolicyDocument: { Statement: PolicyStatementJson[] } }[] };
}

describe('Soc2MlStack: report function and digest signing key', () => {
  const { stack } = buildTestApp({ schedules: { report: SCHEDULE } }, { nag: false });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources;
  const functionId = logicalIdOf(template, 'AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ DIGEST_SIGNING_KEY_ARN: Match.anyValue() }) },
  });
  const fn = resources[functionId].Properties;
  const roleId = fn.Role['Fn::GetAtt'][0] as string;
  const keyId = fn.Environment.Variables.DIGEST_SIGNING_KEY_ARN['Fn::GetAtt'][0] as string;
  const bucketId = logicalIdOf(template, 'AWS::S3::Bucket', { ObjectLockEnabled: true });
  const rolePolicy = (name: string) =>
    (resources[roleId] as RoleJson).Properties.Policies.find((p) => p.PolicyName === name)!.PolicyDocument.Statement;

  it('runs the report handler on nodejs22.x with the evidence bucket, its key, the config and the signing key', () => {
    // Assess
    expect(fn).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Timeout: 900 });
    expect(Object.keys(fn.Environment.Variables).sort()).toEqual(
      [
        'CHANGE_PATH_DEAD_LETTER_QUEUES',
        'CONFIG_PARAMETER',
        'DIGEST_SIGNING_KEY_ARN',
        'EVIDENCE_BUCKET',
        'EVIDENCE_KMS_KEY_ARN',
        'NODE_OPTIONS',
        'POWERTOOLS_METRICS_NAMESPACE',
        'POWERTOOLS_SERVICE_NAME',
      ].sort(),
    );
    expect(fn.Environment.Variables.EVIDENCE_BUCKET).toEqual({ Ref: bucketId });
  });

  it('runs on the configured report schedule, with retries and a dead-letter queue', () => {
    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: SCHEDULE,
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 2 },
          DeadLetterConfig: { Arn: Match.anyValue() },
        }),
      ],
    });
    expect(parseConfig({}).schedules.report).toBe('cron(0 6 * * ? *)');
  });

  it('signs with an ECC_NIST_P256 SIGN_VERIFY key that only the report role may use to sign', () => {
    // Act
    const key = resources[keyId];
    const statements = key.Properties.KeyPolicy.Statement as PolicyStatementJson[];
    const signing = statements.filter((s) => asArray(s.Action).includes('kms:Sign'));
    const publicKeyReaders = statements.filter((s) => asArray(s.Action).includes('kms:GetPublicKey'));
    // Assess
    expect(key).toMatchObject({ DeletionPolicy: 'Retain', Properties: { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' } });
    expect(signing).toHaveLength(1);
    expect(signing[0]!.Principal).toEqual({ AWS: { 'Fn::GetAtt': [roleId, 'Arn'] } });
    // No statement hands the account kms:* or grants (through which IAM could hand out signing).
    expect(statements.flatMap((s) => asArray(s.Action)).filter((a) => a.includes('*') || a === 'kms:CreateGrant')).toEqual([]);
    expect(JSON.stringify(publicKeyReaders.map((s) => s.Principal))).toContain(':root');
    expect(allIamStatements(template).filter((s) => asArray(s.Action).includes('kms:Sign'))).toEqual([]);
  });

  it('denies scheduling deletion of, or disabling, the signing key to every principal', () => {
    // Act
    const statements = resources[keyId].Properties.KeyPolicy.Statement as PolicyStatementJson[];
    // Assess
    expect(statements.filter((s) => s.Effect === 'Deny')).toEqual([
      {
        Sid: 'DenyKeyDeletionAndDisabling',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: ['kms:ScheduleKeyDeletion', 'kms:DisableKey'],
        Resource: '*',
      },
    ]);
  });

  it('reads evidence, manual evidence, digests and reports; writes only reports/ and digests/', () => {
    // Act
    const read = rolePolicy('read');
    const write = rolePolicy('write');
    const getObject = read.find((s) => asArray(s.Action).includes('s3:GetObject'))!;
    const putObject = write.find((s) => asArray(s.Action).includes('s3:PutObject'))!;
    const bucketLevel = read.find((s) => asArray(s.Action).includes('s3:ListBucket'))!;
    // Assess
    expect(objectPatterns(getObject).sort()).toEqual(
      ['/digests/*', '/evidence/*', '/manual/*', '/reports/*'].map((p) => `${bucketId}${p}`),
    );
    expect(asArray(putObject.Action).sort()).toEqual(['s3:PutObject', 's3:PutObjectRetention']);
    expect(objectPatterns(putObject).sort()).toEqual(['/digests/*', '/reports/*'].map((p) => `${bucketId}${p}`));
    expect(asArray(bucketLevel.Action).sort()).toEqual(
      ['s3:GetBucketObjectLockConfiguration', 's3:ListBucket', 's3:ListBucketVersions'].sort(),
    );
    expect(bucketLevel.Resource).toEqual({ 'Fn::GetAtt': [bucketId, 'Arn'] });
    const actions = [...read, ...write].flatMap((s) => asArray(s.Action));
    expect(actions.filter((a) => /Delete|Bypass|PutBucket|kms:Sign|\*/.test(a))).toEqual([]);
    expect(actions.filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
  });

  it('measures the change-event path: reads the attributes of exactly the change and evaluator dead-letter queues', () => {
    // Prepare
    const dlqUrls = (fn.Environment.Variables.CHANGE_PATH_DEAD_LETTER_QUEUES as { 'Fn::Join': [string, { Ref: string }[]] })[
      'Fn::Join'
    ][1]
      .filter((part) => typeof part === 'object')
      .map((part) => part.Ref)
      .sort();
    const reportRolePolicies = Object.values(resources as Record<string, { Type: string; Properties: Record<string, unknown> }>)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: PolicyStatementJson[] }).Statement);
    // Only that action: sending to its own dead-letter queue also includes it, among others.
    const readsAttributes = reportRolePolicies.filter((s) => JSON.stringify(asArray(s.Action)) === '["sqs:GetQueueAttributes"]');

    // Assess
    expect(dlqUrls).toHaveLength(2);
    expect(
      readsAttributes.flatMap((s) => asArray(s.Resource).map((r) => (r as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0])).sort(),
    ).toEqual(dlqUrls);
  });

  it('outputs the signing key ARN for auditors to fetch the public key', () => {
    // Assess
    template.hasOutput('DigestSigningKeyArn', { Value: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  });
});

describe('Soc2MlStack: report function with a Slack webhook secret', () => {
  const SLACK_SECRET = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:slack-AbCdEf';
  const { stack } = buildTestApp({ slack: { webhookSecretArn: SLACK_SECRET } }, { nag: false });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources;
  const functionId = logicalIdOf(template, 'AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ DIGEST_SIGNING_KEY_ARN: Match.anyValue() }) },
  });
  const fn = resources[functionId].Properties;
  const role = resources[fn.Role['Fn::GetAtt'][0] as string] as RoleJson;

  it('tells the report where the webhook secret is and lets it read exactly that secret', () => {
    // Act
    const statements = role.Properties.Policies.flatMap((p) => p.PolicyDocument.Statement);
    // Assess
    expect(fn.Environment.Variables.SLACK_WEBHOOK_SECRET_ARN).toBe(SLACK_SECRET);
    expect(statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('secretsmanager:')))).toEqual([
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: SLACK_SECRET },
    ]);
  });
});
