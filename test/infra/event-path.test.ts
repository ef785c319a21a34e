import { Match, Template } from 'aws-cdk-lib/assertions';
import { COLLECTOR_READ_ACTIONS } from '../../lambdas/collectors/permissions';
import { changeEventGroups } from '../../lambdas/events/event-map';
import { COLLECTOR_NAMES } from '../../lambdas/evidence/record';
import { CHANGE_HANDLER_ACTIONS, EVALUATE_HANDLER_ACTIONS } from '../../lambdas/handlers/permissions';
import { eventBridgeSource } from '../../lib/change-event-rules';
import { buildTestApp } from './synth';
import { allIamStatements, asArray, logicalIdOf, type PolicyStatementJson } from './templates';

const ACCOUNT = '111122223333';
const SLACK_SECRET = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:slack-AbCdEf`;
const CLOUDTRAIL_API_CALL = 'AWS API Call via CloudTrail';
const HOME_BUS_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:eu-west-1:${ACCOUNT}:event-bus/default`]] };

interface RuleJson {
  Properties: {
    EventPattern: {
      source: string[];
      'detail-type': string[];
      detail: { eventSource: string[]; eventName: string[]; errorCode: unknown };
    };
    Targets: { Arn: unknown; RoleArn?: unknown }[];
  };
}

function changeRules(template: Template): RuleJson[] {
  return Object.values(
    template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { 'detail-type': [CLOUDTRAIL_API_CALL] } } }),
  ) as RuleJson[];
}

/** eventSource -> event names, as the rules of a template match them. */
function matchedNames(rules: RuleJson[]): Record<string, string[]> {
  const matched: Record<string, string[]> = {};
  for (const rule of rules) {
    const [eventSource] = rule.Properties.EventPattern.detail.eventSource;
    matched[eventSource!] = [...(matched[eventSource!] ?? []), ...rule.Properties.EventPattern.detail.eventName].sort();
  }
  return matched;
}

/** eventSource -> event names of the map (one group per source today). */
function eventPatternsBySource(): Record<string, string[]> {
  return Object.fromEntries(changeEventGroups().map((group) => [group.eventSource, group.eventNames]));
}

interface FunctionJson {
  Timeout: number;
  Environment: { Variables: Record<string, unknown> };
}

interface QueueJson {
  VisibilityTimeout: number;
  SqsManagedSseEnabled?: boolean;
  RedrivePolicy?: { deadLetterTargetArn: unknown; maxReceiveCount: number };
}

function functionWithEnv(
  template: Template,
  variable: string,
  value: unknown = Match.anyValue(),
): { id: string; properties: FunctionJson } {
  const id = logicalIdOf(template, 'AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ [variable]: value }) },
  });
  return { id, properties: template.toJSON().Resources[id].Properties };
}

function queueFeeding(template: Template, functionId: string): { id: string; properties: QueueJson } {
  const mapping = Object.values(
    template.findResources('AWS::Lambda::EventSourceMapping', { Properties: { FunctionName: { Ref: functionId } } }),
  );
  expect(mapping).toHaveLength(1);
  const id = mapping[0]!.Properties.EventSourceArn['Fn::GetAtt'][0] as string;
  return { id, properties: template.toJSON().Resources[id].Properties };
}

function roleStatements(template: Template, functionId: string): PolicyStatementJson[] {
  const resources = template.toJSON().Resources;
  const roleId = resources[functionId].Properties.Role['Fn::GetAtt'][0] as string;
  const inline = (resources[roleId].Properties.Policies ?? []).flatMap(
    (p: { PolicyDocument: { Statement: PolicyStatementJson[] } }) => p.PolicyDocument.Statement,
  );
  const attached = Object.values(
    template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }),
  ).flatMap((p) => p.Properties.PolicyDocument.Statement as PolicyStatementJson[]);
  return [...inline, ...attached];
}

const objectKeysOf = (statements: PolicyStatementJson[], action: string) =>
  statements
    .filter((s) => asArray(s.Action).includes(action))
    .flatMap((s) => asArray(s.Resource))
    .map((r) => (r as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1][1])
    .sort();

describe('change events, evaluator and forwarder: an app homed in eu-west-1', () => {
  const { app, stack, forwarders } = buildTestApp(
    { regions: ['us-east-1', 'eu-west-1', 'eu-central-1'], createTrail: true, slack: { webhookSecretArn: SLACK_SECRET } },
    { nag: false, env: { account: ACCOUNT, region: 'eu-west-1' } },
  );
  const template = Template.fromStack(stack);
  const forwarderTemplates = new Map(forwarders.map((f) => [f.region, Template.fromStack(f)]));
  const forwarderTemplate = forwarderTemplates.get('us-east-1')!;
  const changeFunction = functionWithEnv(template, 'CHANGE_DELAY_SECONDS');
  // The report reads the Slack secret too: the evaluator is named by its service.
  const evaluator = functionWithEnv(template, 'POWERTOOLS_SERVICE_NAME', 'soc2-ml-evaluator');

  it('matches every mapped event name of successful CloudTrail calls, by source, and nothing else', () => {
    // Act
    const rules = changeRules(template);
    // Assess
    expect(matchedNames(rules)).toEqual(eventPatternsBySource());
    for (const rule of rules) {
      const pattern = rule.Properties.EventPattern;
      expect(pattern.source).toEqual([eventBridgeSource(pattern.detail.eventSource[0]!)]);
      expect(pattern.detail.errorCode).toEqual([{ exists: false }]);
      expect(JSON.stringify(pattern).length).toBeLessThan(4096);
    }
    expect(
      rules.find((r) => r.Properties.EventPattern.detail.eventSource[0] === 'iam.amazonaws.com')!.Properties.EventPattern.source,
    ).toEqual(['aws.iam']);
  });

  it('queues change events in an SSL-only queue with a 5-receive dead-letter queue, sized for the function', () => {
    // Act
    const queue = queueFeeding(template, changeFunction.id);
    // Assess
    for (const rule of changeRules(template))
      expect(rule.Properties.Targets).toEqual([{ Arn: { 'Fn::GetAtt': [queue.id, 'Arn'] }, Id: 'Target0' }]);
    expect(queue.properties).toMatchObject({
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] }, maxReceiveCount: 5 },
    });
    expect(queue.properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * changeFunction.properties.Timeout);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: changeFunction.id },
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 2,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queue.id }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Principal: { Service: 'events.amazonaws.com' },
            Action: Match.arrayWith(['sqs:SendMessage']),
          }),
        ]),
      },
    });
  });

  it("gives the change handler every collector's read actions and evidence/v1/ writes only", () => {
    // Act
    const statements = roleStatements(template, changeFunction.id);
    const actions = statements.flatMap((s) => asArray(s.Action));
    // Assess
    expect(Object.keys(changeFunction.properties.Environment.Variables)).toEqual(
      expect.arrayContaining(['EVIDENCE_BUCKET', 'EVIDENCE_KMS_KEY_ARN', 'CONFIG_PARAMETER', 'CHANGE_DELAY_SECONDS']),
    );
    expect(actions).toEqual(expect.arrayContaining(COLLECTOR_NAMES.flatMap((c) => [...COLLECTOR_READ_ACTIONS[c]])));
    expect(objectKeysOf(statements, 's3:PutObject')).toEqual(['/evidence/v1/*']);
    expect(actions).toEqual(expect.arrayContaining(CHANGE_HANDLER_ACTIONS.flatMap((grant) => [...grant.actions])));
    expect(actions).toEqual(expect.arrayContaining(['kms:GenerateDataKey']));
    // Reads of the evidence bucket's objects are its own change log and records, nothing else.
    expect(objectKeysOf(statements, 's3:GetObject')).toEqual(['/evidence/v1/*']);
  });

  it('feeds the evaluator from ObjectCreated under evidence/v1/ through its own FIFO queue, sending only from its rule', () => {
    // Act
    const queue = queueFeeding(template, evaluator.id);
    // Assess (the single-writer design and the burst model: evaluator-queue.test.ts)
    expect(queue.properties).toMatchObject({
      FifoQueue: true,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] }, maxReceiveCount: 5 },
    });
    expect(queue.properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * evaluator.properties.Timeout);
    const ruleId = logicalIdOf(template, 'AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.s3'], 'detail-type': ['Object Created'] }),
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queue.id }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'events.amazonaws.com' },
            Action: Match.arrayWith(['sqs:SendMessage']),
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } },
          }),
        ]),
      },
    });
  });

  it('lets the evaluator read evidence, digests and state, write state/v1/ and the alert log, and read exactly the Slack secret', () => {
    // Act
    const statements = roleStatements(template, evaluator.id);
    // Assess
    expect(evaluator.properties.Environment.Variables.SLACK_WEBHOOK_SECRET_ARN).toBe(SLACK_SECRET);
    expect(statements.flatMap((s) => asArray(s.Action))).toEqual(
      expect.arrayContaining(EVALUATE_HANDLER_ACTIONS.flatMap((grant) => [...grant.actions])),
    );
    expect(objectKeysOf(statements, 's3:GetObject')).toEqual(['/digests/v1/*', '/evidence/*', '/state/v1/*']);
    expect(objectKeysOf(statements, 's3:PutObject')).toEqual(['/evidence/v1/alerts/*', '/state/v1/*']);
    expect(statements.filter((s) => asArray(s.Action).includes('secretsmanager:GetSecretValue'))).toEqual([
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: SLACK_SECRET },
    ]);
  });

  it('forwards every change event from us-east-1 (IAM included) to the eu-west-1 default bus with a role', () => {
    // Act
    const rules = changeRules(forwarderTemplate);
    const roleId = logicalIdOf(forwarderTemplate, 'AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'events.amazonaws.com' } })],
      }),
    });
    // Assess
    expect(matchedNames(rules)).toEqual(eventPatternsBySource());
    for (const rule of rules) {
      expect(rule.Properties.EventPattern.detail.errorCode).toEqual([{ exists: false }]);
      expect(rule.Properties.Targets).toEqual([
        expect.objectContaining({ Arn: HOME_BUS_ARN, RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] } }),
      ]);
    }
    expect(allIamStatements(forwarderTemplate)).toEqual([
      { Effect: 'Allow', Action: 'events:PutEvents', Resource: HOME_BUS_ARN },
    ]);
  });

  it('forwards only the regional services from another collected region, and deploys one stack per region', () => {
    // Act
    const rules = changeRules(forwarderTemplates.get('eu-central-1')!);
    const { 'iam.amazonaws.com': _global, ...regional } = eventPatternsBySource();
    // Assess
    expect(matchedNames(rules)).toEqual(regional);
    expect(rules.every((r) => JSON.stringify(r.Properties.Targets).includes(':events:eu-west-1:'))).toBe(true);
    expect(
      app
        .synth()
        .stacks.map((s) => s.stackName)
        .sort(),
    ).toEqual(['Soc2MlEvidence', 'Soc2MlEvidence-Events-eu-central-1', 'Soc2MlEvidence-Events-us-east-1']);
  });

  it('creates a multi-region, validated, KMS-encrypted trail in its own bucket when configured', () => {
    // Assess
    const trail = template.findResources('AWS::CloudTrail::Trail');
    expect(Object.values(trail)).toHaveLength(1);
    const properties = Object.values(trail)[0]!.Properties;
    expect(properties).toMatchObject({
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      KMSKeyId: { 'Fn::GetAtt': [expect.any(String), 'Arn'] },
    });
    expect(properties.S3BucketName.Ref).not.toBe(logicalIdOf(template, 'AWS::S3::Bucket', { ObjectLockEnabled: true }));
  });

  it('grants no wildcard action in any IAM policy of any stack', () => {
    // Act
    const actions = [template, ...forwarderTemplates.values()]
      .flatMap((t) => allIamStatements(t))
      .flatMap((s) => asArray(s.Action));
    // Assess
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });
});

describe('an app homed in us-east-1', () => {
  const { app, stack, forwarders } = buildTestApp(
    { regions: ['us-east-1', 'eu-west-1'] },
    { nag: false, env: { account: ACCOUNT, region: 'us-east-1' } },
  );
  const template = Template.fromStack(stack);

  it('needs no us-east-1 forwarder: global-service events arrive at home; other regions forward theirs', () => {
    // Act
    const [euWest] = forwarders;
    // Assess
    expect(forwarders.map((f) => f.region)).toEqual(['eu-west-1']);
    expect(matchedNames(changeRules(Template.fromStack(euWest!)))['iam.amazonaws.com']).toBeUndefined();
    expect(matchedNames(changeRules(template))['iam.amazonaws.com']).toEqual(eventPatternsBySource()['iam.amazonaws.com']);
    expect(app.synth().stacks.map((s) => s.stackName)).not.toContain('Soc2MlEvidence-Events-us-east-1');
  });

  it("forwards only S3 change events from a changeEvents.bucketRegions region: a bucket's events stay in its region", () => {
    // Act
    const { forwarders: bucketOnly } = buildTestApp(
      { changeEvents: { bucketRegions: ['ap-northeast-1'] } },
      { nag: false, env: { account: ACCOUNT, region: 'us-east-1' } },
    );
    // Assess
    expect(bucketOnly.map((f) => f.region)).toEqual(['ap-northeast-1']);
    expect(Object.keys(matchedNames(changeRules(Template.fromStack(bucketOnly[0]!))))).toEqual(['s3.amazonaws.com']);
  });

  it('deploys no forwarder at all when it collects in us-east-1 only (the default)', () => {
    // Act
    const { forwarders: none } = buildTestApp({}, { nag: false, env: { account: ACCOUNT, region: 'us-east-1' } });
    // Assess
    expect(none).toEqual([]);
  });

  it('creates no trail and grants no secret without their configuration', () => {
    // Assess
    template.resourceCountIs('AWS::CloudTrail::Trail', 0);
    const evaluator = logicalIdOf(template, 'AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'soc2-ml-evaluator' }) },
    });
    expect(Object.keys(template.toJSON().Resources[evaluator].Properties.Environment.Variables)).not.toContain(
      'SLACK_WEBHOOK_SECRET_ARN',
    );
    expect(allIamStatements(template).flatMap((s) => asArray(s.Action))).not.toContain('secretsmanager:GetSecretValue');
  });
});
