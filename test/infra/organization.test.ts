import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { COLLECTOR_READ_ACTIONS } from '../../lambdas/collectors/permissions';
import type { Soc2MlConfigInput } from '../../lambdas/config/schema';
import { COLLECTOR_NAMES } from '../../lambdas/evidence/record';
import { MEMBER_PARAMETERS, MemberAccountStack } from '../../lib/member-role-stack-set';
import { buildTestApp, tempOutdir } from './synth';
import { asArray, type PolicyStatementJson } from './templates';

const ROOT = join(__dirname, '..', '..');
const ORGANIZATION: Soc2MlConfigInput = {
  regions: ['us-east-1', 'eu-west-1'],
  organization: {
    enabled: true,
    organizationId: 'o-a1b2c3d4e5',
    externalId: 'acme-soc2-evidence',
    organizationalUnits: ['ou-ab12-cdef3456', 'ou-ab12-7890abcd'],
    maxConcurrency: { iam: 3, sagemaker: 6 },
  },
};
const ENV = { account: '111122223333', region: 'eu-west-1' };

function organizationApp(config: Soc2MlConfigInput = ORGANIZATION) {
  return buildTestApp(config, { nag: false, env: ENV });
}

function memberTemplate(template: Template): {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
} {
  const stackSets = Object.values(template.findResources('AWS::CloudFormation::StackSet'));
  expect(stackSets).toHaveLength(1);
  return JSON.parse(stackSets[0]!.Properties.TemplateBody as string);
}

describe('organization disabled (the default)', () => {
  it('adds nothing organisation-wide', () => {
    // Act
    const template = Template.fromStack(buildTestApp({}, { nag: false }).stack);
    // Assess
    for (const type of ['AWS::CloudFormation::StackSet', 'AWS::StepFunctions::StateMachine', 'AWS::Events::EventBusPolicy'])
      template.resourceCountIs(type, 0);
  });
});

describe('member StackSet', () => {
  const template = Template.fromStack(organizationApp().stack);

  it('is service-managed, deploys automatically to the configured OUs, in us-east-1 and the collected regions', () => {
    template.hasResourceProperties('AWS::CloudFormation::StackSet', {
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      CallAs: 'DELEGATED_ADMIN',
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      StackInstancesGroup: [
        {
          DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-cdef3456', 'ou-ab12-7890abcd'] },
          Regions: ['eu-west-1', 'us-east-1'],
        },
      ],
      Parameters: Match.arrayWith([
        {
          ParameterKey: MEMBER_PARAMETERS.eventBusArn,
          ParameterValue: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
        },
        { ParameterKey: MEMBER_PARAMETERS.account, ParameterValue: ENV.account },
      ]),
    });
  });

  it("also deploys to changeEvents.bucketRegions, where member buckets' change events are", () => {
    // Act
    const config = { ...ORGANIZATION, changeEvents: { bucketRegions: ['ap-northeast-1'] } };
    const withBuckets = Template.fromStack(organizationApp(config).stack);
    // Assess
    withBuckets.hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackInstancesGroup: [Match.objectLike({ Regions: ['ap-northeast-1', 'eu-west-1', 'us-east-1'] })],
    });
  });

  it('creates a member role with exactly the collectors read actions, trusting only the central roles with the external ID', () => {
    // Prepare
    const member = memberTemplate(template);
    const roles = Object.values(member.Resources).filter(
      (r) => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName === 'soc2-ml-evidence-collector',
    );
    // Act
    const role = roles[0]!.Properties as {
      AssumeRolePolicyDocument: { Statement: PolicyStatementJson[] };
      Policies: { PolicyDocument: { Statement: PolicyStatementJson[] } }[];
    };
    const trust = role.AssumeRolePolicyDocument.Statement;
    const actions = role.Policies.flatMap((p) => p.PolicyDocument.Statement).flatMap((s) => asArray(s.Action));
    // Assess
    expect(roles).toHaveLength(1);
    expect(trust.map((s) => s.Principal)).toEqual([
      { AWS: { Ref: MEMBER_PARAMETERS.collectorRoleArn } },
      { AWS: { Ref: MEMBER_PARAMETERS.changeEventsRoleArn } },
    ]);
    for (const statement of trust) {
      expect(statement.Action).toBe('sts:AssumeRole');
      expect(statement.Condition).toEqual({ StringEquals: { 'sts:ExternalId': 'acme-soc2-evidence' } });
    }
    expect([...actions].sort()).toEqual(COLLECTOR_NAMES.flatMap((c) => COLLECTOR_READ_ACTIONS[c]).sort());
    expect(actions.every((a) => !/:(Put|Create|Delete|Update|Tag)/.test(a) || a === 'iam:GenerateCredentialReport')).toBe(true);
  });

  it('forwards the change events from member accounts only, to the central bus through a role', () => {
    // Prepare
    const member = memberTemplate(template);
    const rules = Object.values(member.Resources).filter((r) => r.Type === 'AWS::Events::Rule') as unknown as {
      Condition?: string;
      Properties: { Targets: { Arn: unknown; RoleArn: unknown }[] };
    }[];
    // Assess
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.Condition).toBe('IsMemberAccount');
      expect(rule.Properties.Targets[0]!.Arn).toEqual({ Ref: MEMBER_PARAMETERS.eventBusArn });
      expect(rule.Properties.Targets[0]!.RoleArn).toBeDefined();
    }
  });
});

describe('central event bus policy', () => {
  it('admits PutEvents only from principals of the organisation', () => {
    const template = Template.fromStack(organizationApp().stack);
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: 'default',
      Statement: {
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      },
    });
  });
});

describe('fan-out state machine', () => {
  const template = Template.fromStack(organizationApp().stack);
  const definition = () => {
    const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(machines).toHaveLength(1);
    const body = machines[0]!.Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] };
    // Tokens (function ARNs) become placeholders: the structure is what is asserted.
    const text = body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
    return JSON.parse(text) as {
      StartAt: string;
      States: Record<
        string,
        {
          Type: string;
          Next?: string;
          Default?: string;
          Choices?: { Next: string }[];
          Resource?: string;
          Arguments?: Record<string, unknown>;
          Output?: unknown;
          Branches?: { StartAt: string; States: Record<string, MapState> }[];
        }
      >;
    };
  };
  interface MapState {
    Type: string;
    MaxConcurrency?: number;
    ItemReader?: { Resource: string; Arguments: { Key: string } };
    ItemSelector?: unknown;
    Items?: unknown;
    ResultWriter?: { Resource: string; Arguments: { Prefix: string }; WriterConfig: unknown };
    ItemProcessor: {
      ProcessorConfig: { Mode: string };
      States: Record<
        string,
        { Retry?: { ErrorEquals: string[]; BackoffRate: number; IntervalSeconds: number; MaxAttempts: number }[] }
      >;
    };
  }

  it('lists the OUs first, then runs one distributed map per collector with its own concurrency', () => {
    // Act
    const machine = definition();
    const maps = Object.fromEntries(
      (machine.States.Collect?.Branches ?? []).map((b) => [b.StartAt, b.States[b.StartAt]!] as const),
    );
    // Assess
    expect(machine.StartAt).toBe('Walk units');
    expect(Object.keys(maps).sort()).toEqual(COLLECTOR_NAMES.map((c) => `Map ${c}`).sort());
    expect(Object.fromEntries(Object.entries(maps).map(([name, m]) => [name, m.MaxConcurrency]))).toEqual({
      'Map s3': 20,
      'Map iam': 3,
      'Map kms': 20,
      'Map cloudtrail': 20,
      'Map sagemaker': 6,
      'Map bedrock': 10,
      'Map ecr': 20,
      'Map guardduty': 20,
      'Map securityhub': 20,
      'Map inspector': 20,
      'Map backup': 20,
      'Map macie': 20,
    });
    for (const map of Object.values(maps)) expect(map.ItemProcessor.ProcessorConfig.Mode).toBe('DISTRIBUTED');
  });

  it('walks the OU tree: the accounts and child units of each unit, page by page, child units queued until none is left', () => {
    // Act
    const { States: states } = definition();
    const next = (name: string) => states[name]!.Next;
    const choices = (name: string) => [...(states[name]!.Choices ?? []).map((c) => c.Next), states[name]!.Default];
    // Assess: ListAccountsForParent returns direct children only, so child units are listed and queued too
    expect(states['Walk units']!.Output).toEqual({ queue: ['ou-ab12-cdef3456', 'ou-ab12-7890abcd'], accounts: [] });
    expect(next('Walk units')).toBe('Units left?');
    expect(choices('Units left?')).toEqual(['List accounts', 'Units walked']);
    expect(next('List accounts')).toBe('More accounts?');
    expect(choices('More accounts?')).toEqual(['List more accounts', 'List child units']);
    expect(next('List child units')).toBe('More child units?');
    expect(choices('More child units?')).toEqual(['List more child units', 'Next unit']);
    expect(next('Next unit')).toBe('Units left?');
    expect(next('Units walked')).toBe('Plan');
    expect(states['List child units']!.Resource).toMatch(/:aws-sdk:organizations:listOrganizationalUnitsForParent$/);
    expect(states['List child units']!.Arguments).toEqual({ ParentId: '{% $states.input.queue[0] %}' });
    expect(states['List child units']!.Output).toContain('$append($states.input.queue, $states.result.OrganizationalUnits.Id)');
    expect(states['List more accounts']!.Arguments).toEqual({
      ParentId: '{% $states.input.queue[0] %}',
      NextToken: '{% $states.input.nextToken %}',
    });
  });

  it('keeps plans and results out of the state: each map reads its tasks from S3 and writes its results there', () => {
    // Act
    const machine = definition();
    const maps = (machine.States.Collect?.Branches ?? []).map(
      (b) => [b.StartAt.slice('Map '.length), b.States[b.StartAt]!] as const,
    );
    // Assess: 1,000 accounts x 4 regions is about 14,000 tasks, far past the 256 KiB state limit inline
    expect(maps).toHaveLength(COLLECTOR_NAMES.length);
    for (const [collector, map] of maps) {
      expect(map.Items).toBeUndefined();
      expect(map.ItemReader).toMatchObject({
        Resource: expect.stringMatching(/:states:::s3:getObject$/),
        Arguments: { Key: `{% $planKeys.${collector} %}` },
      });
      expect(map.ResultWriter).toMatchObject({
        Resource: expect.stringMatching(/:states:::s3:putObject$/),
        Arguments: { Prefix: `results/${collector}` },
        WriterConfig: { OutputType: 'JSON', Transformation: 'COMPACT' },
      });
    }
    expect(machine.States.Summary!.Arguments).toMatchObject({
      Payload: expect.objectContaining({ results: '{% $states.input.ResultWriterDetails[] %}' }),
    });
  });

  it('retries Lambda throttling and failures with exponential backoff in every map', () => {
    const machine = definition();
    for (const branch of machine.States.Collect?.Branches ?? []) {
      const map = branch.States[branch.StartAt]!;
      const task = Object.values(map.ItemProcessor.States).find((s) => s.Retry)!;
      expect(task.Retry).toEqual([
        expect.objectContaining({
          ErrorEquals: expect.arrayContaining(['Lambda.TooManyRequestsException', 'States.TaskFailed']),
          BackoffRate: 2,
          IntervalSeconds: 10,
          MaxAttempts: 4,
        }),
      ]);
    }
  });

  it('starts from the configured accounts without calling Organizations when they are listed', () => {
    // Prepare
    const config = { ...ORGANIZATION, organization: { ...(ORGANIZATION.organization as object), accounts: ['444455556666'] } };
    // Act
    const template = Template.fromStack(organizationApp(config as Soc2MlConfigInput).stack);
    const json = JSON.stringify(template.findResources('AWS::StepFunctions::StateMachine'));
    // Assess
    expect(json).not.toContain('listAccountsForParent');
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(6 hours)',
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('StateMachine') } })],
    });
  });
});

describe('cdk-nag and cfn-lint on the organisation templates', () => {
  it('reports no unacknowledged AwsSolutions finding in the central and member stacks', () => {
    // Prepare
    const { app } = organizationApp();
    const { app: memberApp } = buildTestApp({}, { nag: false });
    const member = new MemberAccountStack(memberApp, 'Member', {
      roleName: 'soc2-ml-evidence-collector',
      externalId: 'acme-soc2-evidence',
      regions: ['us-east-1'],
    });
    // Act
    app.synth();
    const violations = [
      ...new AwsSolutionsChecks().validateScope(app).violations,
      ...new AwsSolutionsChecks().validateScope(member).violations,
    ];
    // Assess
    expect(violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(',')}`)).toEqual([]);
  });

  it('cfn-lint finds nothing in the central template nor the member template', async () => {
    // Prepare
    const { stack } = organizationApp();
    const template = Template.fromStack(stack);
    const dir = tempOutdir();
    const central = join(dir, 'central.template.json');
    const member = join(dir, 'member.template.json');
    writeFileSync(central, JSON.stringify(template.toJSON()));
    writeFileSync(member, JSON.stringify(memberTemplate(template)));
    // Act
    const run = await promisify(execFile)(join(ROOT, '.venv', 'bin', 'cfn-lint'), [central, member], { cwd: ROOT }).then(
      () => ({ code: 0, stdout: '' }),
      (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
    );
    // Assess
    expect(run).toEqual({ code: 0, stdout: '' });
  }, 120_000);
});
