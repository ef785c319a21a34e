import { Match, type Template } from 'aws-cdk-lib/assertions';
import { COLLECTOR_READ_ACTIONS } from '../../lambdas/collectors/permissions';
import { parseConfig } from '../../lambdas/config/schema';
import { COLLECTOR_NAMES } from '../../lambdas/evidence/record';
import { synthTemplate } from './synth';
import { allIamStatements, asArray, logicalIdOf, objectPatterns, type PolicyStatementJson } from './templates';

/** cdk bootstrap's CloudFormation execution role, in Fn::Sub syntax (escaped: no JS placeholders). */
const CFN_EXECUTION_ROLE = `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/cdk-hnb659fds-cfn-exec-role-\${AWS::AccountId}-\${AWS::Region}`;

function evidenceBucketId(template: Template): string {
  return logicalIdOf(template, 'AWS::S3::Bucket', { ObjectLockEnabled: true });
}

function bucketPolicyStatements(template: Template, bucketId: string): PolicyStatementJson[] {
  const policies = Object.values(template.findResources('AWS::S3::BucketPolicy')).filter(
    (policy) => JSON.stringify(policy.Properties.Bucket) === JSON.stringify({ Ref: bucketId }),
  );
  expect(policies).toHaveLength(1);
  return policies[0]!.Properties.PolicyDocument.Statement;
}

function functionIdFor(template: Template, collector: string): string {
  return logicalIdOf(template, 'AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ COLLECTOR: collector }) },
  });
}

function inlinePolicy(template: Template, functionId: string, name: string): PolicyStatementJson[] {
  const roleId = template.toJSON().Resources[functionId].Properties.Role['Fn::GetAtt'][0] as string;
  const role = template.toJSON().Resources[roleId];
  return role.Properties.Policies.find((p: { PolicyName: string }) => p.PolicyName === name).PolicyDocument.Statement;
}

describe('Soc2MlStack: evidence bucket', () => {
  const template = synthTemplate();

  it('locks evidence in COMPLIANCE mode for 400 days by default, versioned and retained', () => {
    // Prepare / Act: the default configuration, synthesised once above
    // Assess
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        ObjectLockEnabled: true,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 400 } } },
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    });
  });

  it('takes GOVERNANCE mode and the retention days from the configuration', () => {
    // Prepare
    const config = { evidence: { lockMode: 'GOVERNANCE' as const, retentionDays: 30 } };
    // Act
    const governance = synthTemplate(config);
    // Assess
    governance.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } } },
    });
  });

  it('encrypts with a rotating customer managed key, bucket key on, and blocks public access', () => {
    // Assess
    const keyId = logicalIdOf(template, 'AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } },
          },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
  });

  it('denies non-TLS requests, deleting any object or version, and loosening the lock, for every principal', () => {
    // Act
    const statements = bucketPolicyStatements(template, evidenceBucketId(template));
    // Assess
    const denies = statements.filter((s) => s.Effect === 'Deny');
    expect(denies.every((s) => JSON.stringify(s.Principal) === JSON.stringify({ AWS: '*' }))).toBe(true);
    const tlsOnly = denies.find(
      (s) => JSON.stringify(s.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
    );
    expect(tlsOnly && asArray(tlsOnly.Action)).toEqual(['s3:*']);
    const deniedActions = denies.flatMap((s) => asArray(s.Action));
    expect(deniedActions).toEqual(
      expect.arrayContaining([
        's3:DeleteObject',
        's3:DeleteObjectVersion',
        's3:PutBucketObjectLockConfiguration',
        's3:BypassGovernanceRetention',
      ]),
    );
    const deletion = denies.find((s) => s.Sid === 'DenyEvidenceDeletion');
    expect(deletion?.Condition).toBeUndefined();
    expect(denies.find((s) => s.Sid === 'DenyBypassingGovernanceRetention')?.Condition).toBeUndefined();
  });

  it('lets only the CloudFormation execution role change the Object Lock configuration, so a changed retention deploys', () => {
    // Act
    const lock = bucketPolicyStatements(template, evidenceBucketId(template)).find(
      (s) => s.Sid === 'DenyObjectLockChangesOutsideDeploys',
    );
    // Assess: denied to everyone else, the role CloudFormation updates the bucket with excepted
    expect(lock).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:PutBucketObjectLockConfiguration' });
    expect(lock!.Condition).toEqual({
      ArnNotEquals: {
        'aws:PrincipalArn': {
          'Fn::Sub': CFN_EXECUTION_ROLE,
        },
      },
    });
  });

  it('changes the default retention in place on redeploy: the same bucket, the new retention and mode', () => {
    // Act
    const after = synthTemplate({ evidence: { retentionDays: 800, lockMode: 'GOVERNANCE' } });
    // Assess: same logical id (an update, not a replacement), new ObjectLockConfiguration
    expect(evidenceBucketId(after)).toBe(evidenceBucketId(template));
    expect(after.toJSON().Resources[evidenceBucketId(after)].Properties.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Days: 800, Mode: 'GOVERNANCE' } },
    });
  });

  it('denies writing evidence, manual evidence, digests and period reports without If-None-Match: *, for every principal', () => {
    // Act
    const bucketId = evidenceBucketId(template);
    const unconditional = bucketPolicyStatements(template, bucketId).filter(
      (s) => s.Effect === 'Deny' && asArray(s.Action).includes('s3:PutObject'),
    );
    // Assess: the rest of reports/ and state/ stay overwritable (latest report copies, alert state)
    expect(unconditional).toHaveLength(1);
    expect(unconditional[0]).toMatchObject({
      Principal: { AWS: '*' },
      Action: 's3:PutObject',
      Condition: { Null: { 's3:if-none-match': 'true' } },
    });
    expect(objectPatterns(unconditional[0]!).sort()).toEqual(
      ['/digests/*', '/evidence/*', '/manual/*', '/reports/period/*'].map((p) => `${bucketId}${p}`),
    );
  });

  it('denies scheduling deletion of, or disabling, the evidence key to every principal', () => {
    // Act
    const keyId = logicalIdOf(template, 'AWS::KMS::Key', { EnableKeyRotation: true });
    const statements = template.toJSON().Resources[keyId].Properties.KeyPolicy.Statement as PolicyStatementJson[];
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

  it('logs access to a separate SSL-only, expiring log bucket and archives evidence to Glacier IR', () => {
    // Prepare
    const archived = synthTemplate({ evidence: { archiveAfterDays: 30 } });
    // Act
    const bucketId = evidenceBucketId(archived);
    const bucket = archived.toJSON().Resources[bucketId];
    const logBucketId = bucket.Properties.LoggingConfiguration.DestinationBucketName.Ref as string;
    const logBucket = archived.toJSON().Resources[logBucketId];
    // Assess
    expect(logBucketId).not.toBe(bucketId);
    expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual([
      expect.objectContaining({
        Status: 'Enabled',
        Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 30 }],
      }),
    ]);
    expect(logBucket.Properties.LifecycleConfiguration.Rules).toEqual([
      expect.objectContaining({ Status: 'Enabled', ExpirationInDays: 400 }),
    ]);
    expect(logBucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: 'AES256',
    });
    const logDenies = bucketPolicyStatements(archived, logBucketId).filter((s) => s.Effect === 'Deny');
    expect(logDenies.map((s) => s.Condition)).toContainEqual({ Bool: { 'aws:SecureTransport': 'false' } });
  });

  it('outputs the bucket name and key ARN', () => {
    // Assess
    template.hasOutput('EvidenceBucketName', { Value: { Ref: evidenceBucketId(template) } });
    template.hasOutput('EvidenceKeyArn', { Value: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } });
  });
});

describe('Soc2MlStack: collectors', () => {
  const template = synthTemplate({ regions: ['us-east-1', 'eu-west-1'], schedules: { sagemaker: 'rate(2 hours)' } });

  it('deploys one nodejs22.x arm64 function per collector with the agreed settings and no secrets in env', () => {
    // Assess
    for (const collector of COLLECTOR_NAMES) {
      const fn = template.toJSON().Resources[functionIdFor(template, collector)].Properties;
      expect(fn).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], MemorySize: 1024, Timeout: 600 });
      expect(Object.keys(fn.Environment.Variables).sort()).toEqual(
        [
          'COLLECTOR',
          'CONFIG_PARAMETER',
          'EVIDENCE_BUCKET',
          'EVIDENCE_KMS_KEY_ARN',
          'NODE_OPTIONS',
          'POWERTOOLS_METRICS_NAMESPACE',
          'POWERTOOLS_SERVICE_NAME',
        ].sort(),
      );
    }
  });

  it('schedules every collector with the configured expression', () => {
    // Prepare
    const expected = parseConfig({ schedules: { sagemaker: 'rate(2 hours)' } }).schedules;
    // Assess
    const schedules = template.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: Match.anyValue() } });
    // One per collector, the daily report and the monthly period report
    expect(Object.keys(schedules)).toHaveLength(COLLECTOR_NAMES.length + 2);
    for (const collector of COLLECTOR_NAMES) {
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: expected[collector],
        State: 'ENABLED',
        Targets: [
          Match.objectLike({
            Arn: { 'Fn::GetAtt': [functionIdFor(template, collector), 'Arn'] },
            RetryPolicy: { MaximumRetryAttempts: 2 },
            DeadLetterConfig: { Arn: Match.anyValue() },
          }),
        ],
      });
    }
    expect(expected.sagemaker).toBe('rate(2 hours)');
  });

  it('sends failed async invocations to an encrypted, SSL-only queue after two retries, and alarms on errors', () => {
    // Assess
    for (const collector of COLLECTOR_NAMES) {
      const functionId = functionIdFor(template, collector);
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: functionId },
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } } },
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Errors',
        Namespace: 'AWS/Lambda',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
        Threshold: 1,
      });
    }
    template.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    template.allResourcesProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  it('grants no wildcard action in any IAM policy', () => {
    // Act
    const actions = allIamStatements(template).flatMap((s) => asArray(s.Action));
    // Assess
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it("gives each collector exactly its table's read actions, regional ones for every configured region", () => {
    // Assess
    for (const collector of COLLECTOR_NAMES) {
      const read = inlinePolicy(template, functionIdFor(template, collector), 'read');
      expect(read.every((s) => s.Effect === 'Allow')).toBe(true);
      expect(read.flatMap((s) => asArray(s.Action)).sort()).toEqual([...COLLECTOR_READ_ACTIONS[collector]].sort());
    }
    const kmsKeyArns = inlinePolicy(template, functionIdFor(template, 'kms'), 'read')
      .flatMap((s) => asArray(s.Resource))
      .map((r) => JSON.stringify(r));
    expect(kmsKeyArns.filter((r) => r.includes(':kms:us-east-1:'))).toHaveLength(1);
    expect(kmsKeyArns.filter((r) => r.includes(':kms:eu-west-1:'))).toHaveLength(1);
  });

  it('lets collectors write only evidence/v1/ objects, with the bucket key, and no delete', () => {
    // Act
    const write = inlinePolicy(template, functionIdFor(template, 's3'), 'evidence');
    const all = allIamStatements(template, { exceptDeployTimeHandlers: true }).flatMap((s) => asArray(s.Action));
    // Assess
    const put = write.find((s) => asArray(s.Action).includes('s3:PutObject'));
    expect(asArray(put!.Action).sort()).toEqual(['s3:PutObject', 's3:PutObjectRetention']);
    expect(JSON.stringify(put!.Resource)).toContain('/evidence/v1/*');
    const kms = write.find((s) => asArray(s.Action).includes('kms:GenerateDataKey'));
    expect(asArray(kms!.Action).sort()).toEqual(['kms:Encrypt', 'kms:GenerateDataKey']);
    expect(all.filter((action) => /^s3:(Delete|PutBucket)|Bypass/.test(action))).toEqual([]);
  });

  it('passes the validated configuration to the Lambdas through one SSM parameter', () => {
    // Assess
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Type: 'String',
      Tier: 'Standard',
      Value: JSON.stringify(parseConfig({ regions: ['us-east-1', 'eu-west-1'], schedules: { sagemaker: 'rate(2 hours)' } })),
    });
  });
});
