import { Match } from 'aws-cdk-lib/assertions';
import { REMINDER_STATE_KEY } from '../../lambdas/alerts/reminders';
import { synthTemplate } from './synth';
import { asArray, expectBucketNotifiesQueue, logicalIdOf, objectPatterns, type PolicyStatementJson } from './templates';

interface RoleJson {
  Properties: { Policies: { PolicyName: string; PolicyDocument: { Statement: PolicyStatementJson[] } }[] };
}

describe('Soc2MlStack: evidence inbox', () => {
  const template = synthTemplate();
  const resources = template.toJSON().Resources;
  const bucketId = logicalIdOf(template, 'AWS::S3::Bucket', { ObjectLockEnabled: true });
  const functionId = logicalIdOf(template, 'AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'soc2-ml-inbox' }) },
  });
  const fn = resources[functionId].Properties;
  const roleId = fn.Role['Fn::GetAtt'][0] as string;
  const statements = (resources[roleId] as RoleJson).Properties.Policies.flatMap((p) => p.PolicyDocument.Statement);
  const objectsFor = (action: string) =>
    statements
      .filter((s) => asArray(s.Action).includes(action))
      .flatMap((s) => objectPatterns(s))
      .map((p) => p.replace(bucketId, ''))
      .sort();

  it('runs the inbox handler on nodejs22.x, fed by ObjectCreated under inbox/ through its own queue and dead-letter queue', () => {
    // Act
    const mappings = Object.values(
      template.findResources('AWS::Lambda::EventSourceMapping', { Properties: { FunctionName: { Ref: functionId } } }),
    );
    const queueId = mappings[0]!.Properties.EventSourceArn['Fn::GetAtt'][0] as string;
    // Assess
    expect(fn).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler' });
    expect(mappings).toHaveLength(1);
    expect(mappings[0]!.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(resources[queueId].Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] }, maxReceiveCount: 5 },
    });
    expectBucketNotifiesQueue(template, { bucketId, queueId, prefix: 'inbox/', account: { Ref: 'AWS::AccountId' } });
  });

  it('reads and tags only inbox/ objects, creates only manual evidence and intake records, and deletes nothing', () => {
    // Assess
    expect(objectsFor('s3:GetObjectVersion')).toEqual(['/inbox/*']);
    expect(objectsFor('s3:GetObjectTagging')).toEqual(['/inbox/*']);
    expect(objectsFor('s3:PutObjectTagging')).toEqual(['/inbox/*']);
    expect(objectsFor('s3:GetObject')).toEqual(['/evidence/v1/inbox/*', '/inbox/*', '/manual/*']);
    expect(objectsFor('s3:PutObject')).toEqual(['/evidence/v1/inbox/*', '/manual/*']);
    const actions = statements.flatMap((s) => asArray(s.Action));
    expect(actions.filter((a) => /Delete|Bypass|PutBucket|Copy|\*/.test(a))).toEqual([]);
    expect(actions.filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
  });

  it('keeps manual/ write-once in the bucket policy while inbox/ takes ordinary uploads', () => {
    // Act
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find(
      (p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: bucketId }),
    )!;
    const writeOnce = (policy.Properties.PolicyDocument.Statement as PolicyStatementJson[]).find(
      (s) => s.Sid === 'DenyOverwritingWriteOnceObjects',
    )!;
    // Assess
    const patterns = objectPatterns(writeOnce).map((p) => p.replace(bucketId, ''));
    expect(patterns).toContain('/manual/*');
    expect(patterns.filter((p) => p.startsWith('/inbox'))).toEqual([]);
    expect(patterns.some((p) => '/evidence/v1/inbox/'.startsWith(p.replace('*', '')))).toBe(true);
  });

  it('lets the report read and replace exactly the reminder state object', () => {
    // Act
    const reportFn = logicalIdOf(template, 'AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DIGEST_SIGNING_KEY_ARN: Match.anyValue() }) },
    });
    const reportRole = resources[resources[reportFn].Properties.Role['Fn::GetAtt'][0]] as RoleJson;
    const reportStatements = reportRole.Properties.Policies.flatMap((p) => p.PolicyDocument.Statement);
    const touching = reportStatements
      .filter((s) => asArray(s.Action).some((a) => a.startsWith('s3:')) && JSON.stringify(s.Resource).includes('/'))
      .filter((s) => objectPatterns(s).some((p) => p.endsWith(`/${REMINDER_STATE_KEY}`)));
    // Assess
    expect(touching.flatMap((s) => asArray(s.Action)).sort()).toEqual(['s3:GetObject', 's3:PutObject', 's3:PutObjectRetention']);
    expect(touching.every((s) => asArray(s.Resource).length === 1)).toBe(true);
  });
});
