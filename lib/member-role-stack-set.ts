import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  App,
  Aws,
  BootstraplessSynthesizer,
  CfnCondition,
  CfnParameter,
  CfnResource,
  CfnStackSet,
  Fn,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget } from 'aws-cdk-lib/aws-events-targets';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { changeEventGroups } from '../lambdas/events/event-map';
import { GLOBAL_EVENTS_REGION } from './change-event-forwarder-stack';
import { ChangeEventRules } from './change-event-rules';
import { MemberCollectorRole } from './member-collector-role';

/** The member template's parameters, filled in by the StackSet from the central stack. */
export const MEMBER_PARAMETERS = {
  collectorRoleArn: 'CentralCollectorRoleArn',
  changeEventsRoleArn: 'CentralChangeEventsRoleArn',
  eventBusArn: 'CentralEventBusArn',
  account: 'CentralAccountId',
} as const;

/** IAM is global: the role is created by the stack instance in this region only. */
export const MEMBER_ROLE_REGION = GLOBAL_EVENTS_REGION;

export interface MemberAccountStackProps extends StackProps {
  roleName: string;
  externalId: string;
  regions: readonly string[];
}

/**
 * What every member account gets, per region: in MEMBER_ROLE_REGION the read-only collector
 * role; everywhere, rules forwarding the change events (the patterns the central rules use)
 * to the central default bus. The central account itself forwards nothing, so no loop.
 */
export class MemberAccountStack extends Stack {
  readonly collectorRole: MemberCollectorRole;
  readonly forwardingRules: ChangeEventRules;

  constructor(scope: Construct, id: string, props: MemberAccountStackProps) {
    super(scope, id, { ...props, synthesizer: new BootstraplessSynthesizer(), analyticsReporting: false });
    const parameter = (name: string, description: string) =>
      new CfnParameter(this, name, { type: 'String', description }).valueAsString;
    const collectorRoleArn = parameter(MEMBER_PARAMETERS.collectorRoleArn, 'Central fan-out collector role');
    const changeEventsRoleArn = parameter(MEMBER_PARAMETERS.changeEventsRoleArn, 'Central change-event role');
    const eventBusArn = parameter(MEMBER_PARAMETERS.eventBusArn, 'Central default event bus');
    const centralAccount = parameter(MEMBER_PARAMETERS.account, 'Central soc2-ml-evidence account');

    const roleRegion = new CfnCondition(this, 'IsRoleRegion', {
      expression: Fn.conditionEquals(Aws.REGION, MEMBER_ROLE_REGION),
    });
    const isMember = new CfnCondition(this, 'IsMemberAccount', {
      expression: Fn.conditionNot(Fn.conditionEquals(Aws.ACCOUNT_ID, centralAccount)),
    });

    this.collectorRole = new MemberCollectorRole(this, 'Collector', {
      roleName: props.roleName,
      trustedRoleArns: [collectorRoleArn, changeEventsRoleArn],
      externalId: props.externalId,
      regions: props.regions,
    });
    onlyWhen(this.collectorRole, roleRegion);

    const forwarding = new Construct(this, 'Forwarding');
    const forwardRole = new Role(forwarding, 'Role', {
      assumedBy: new ServicePrincipal('events.amazonaws.com'),
      description: 'soc2-ml-evidence: forwards change events to the central account',
    });
    this.forwardingRules = new ChangeEventRules(forwarding, 'Rules', {
      groups: changeEventGroups(),
      target: new EventBusTarget(EventBus.fromEventBusArn(forwarding, 'CentralBus', eventBusArn), { role: forwardRole }),
      purpose: 'the central soc2-ml-evidence event bus',
    });
    onlyWhen(forwarding, isMember);
  }
}

function onlyWhen(scope: Construct, condition: CfnCondition): void {
  for (const child of scope.node.findAll()) if (child instanceof CfnResource) child.cfnOptions.condition = condition;
}

/** The member template as JSON, synthesised from MemberAccountStack in an app of its own. */
export function memberAccountTemplate(props: MemberAccountStackProps): Record<string, unknown> {
  const outdir = mkdtempSync(join(tmpdir(), 'soc2-ml-member-'));
  try {
    const app = new App({ outdir });
    const stack = new MemberAccountStack(app, 'Soc2MlEvidenceMember', props);
    return app.synth().getStackByName(stack.stackName).template as Record<string, unknown>;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export interface MemberRoleStackSetProps extends MemberAccountStackProps {
  organizationalUnits: readonly string[];
  /** Regions the stack instances go to: the collected ones and us-east-1 (IAM events, the role). */
  instanceRegions: readonly string[];
  collectorRoleArn: string;
  changeEventsRoleArn: string;
  /** SELF from the management account, DELEGATED_ADMIN from a delegated administrator. */
  callAs: 'SELF' | 'DELEGATED_ADMIN';
}

/**
 * A service-managed StackSet deploying MemberAccountStack to the organizational units, and to
 * every account that joins them later (automatic deployment).
 */
export class MemberRoleStackSet extends Construct {
  readonly stackSet: CfnStackSet;

  constructor(scope: Construct, id: string, props: MemberRoleStackSetProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const template = memberAccountTemplate(props);
    this.stackSet = new CfnStackSet(this, 'StackSet', {
      stackSetName: `${stack.stackName}-member`,
      description: 'soc2-ml-evidence: read-only collector role and change-event forwarding in member accounts',
      permissionModel: 'SERVICE_MANAGED',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      callAs: props.callAs,
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      operationPreferences: { regionConcurrencyType: 'PARALLEL', maxConcurrentPercentage: 25, failureTolerancePercentage: 10 },
      parameters: [
        { parameterKey: MEMBER_PARAMETERS.collectorRoleArn, parameterValue: props.collectorRoleArn },
        { parameterKey: MEMBER_PARAMETERS.changeEventsRoleArn, parameterValue: props.changeEventsRoleArn },
        {
          parameterKey: MEMBER_PARAMETERS.eventBusArn,
          parameterValue: `arn:${Aws.PARTITION}:events:${stack.region}:${stack.account}:event-bus/default`,
        },
        { parameterKey: MEMBER_PARAMETERS.account, parameterValue: stack.account },
      ],
      stackInstancesGroup: [
        {
          deploymentTargets: { organizationalUnitIds: [...props.organizationalUnits] },
          regions: [...new Set([MEMBER_ROLE_REGION, ...props.instanceRegions])].sort(),
        },
      ],
      templateBody: JSON.stringify(template),
    });
  }
}
