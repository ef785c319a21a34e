import { Aws, CfnOutput, Stack } from 'aws-cdk-lib';
import { CfnEventBusPolicy } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IStringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { Soc2MlConfig } from '../lambdas/config/schema';
import { GLOBAL_EVENTS_REGION } from './change-event-forwarder-stack';
import { acknowledgeWildcardResource } from './function-parts';
import { MemberRoleStackSet } from './member-role-stack-set';
import { OrganizationFanout } from './organization-fanout';

export interface OrganizationProps {
  config: Soc2MlConfig;
  evidenceBucket: IBucket;
  evidenceKey: IKey;
  configParameter: IStringParameter;
  /** The change path's role: it re-collects member resources through the member role. */
  changeEventsRole: Role;
  /** Where the fan-out's run-data bucket logs its access. */
  accessLogBucket: IBucket;
}

/**
 * Everything organisation-wide in the central account: the fan-out, the member StackSet, the
 * bus policy admitting member accounts' change events, and the change path's access to the
 * member role.
 */
export class Organization extends Construct {
  readonly fanout: OrganizationFanout;
  readonly memberStackSet?: MemberRoleStackSet;
  readonly busPolicy: CfnEventBusPolicy;

  constructor(scope: Construct, id: string, props: OrganizationProps) {
    super(scope, id);
    const { organization } = props.config;
    const organizationId = organization.organizationId!;
    const stack = Stack.of(this);

    this.fanout = new OrganizationFanout(this, 'Fanout', {
      organization,
      evidenceBucket: props.evidenceBucket,
      evidenceKey: props.evidenceKey,
      configParameter: props.configParameter,
      accessLogBucket: props.accessLogBucket,
    });

    const memberRoles = `arn:${Aws.PARTITION}:iam::*:role/${organization.memberRoleName}`;
    props.changeEventsRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['sts:AssumeRole'],
        resources: [memberRoles],
        conditions: { StringEquals: { 'aws:ResourceOrgID': organizationId } },
      }),
    );
    acknowledgeWildcardResource(
      props.changeEventsRole,
      memberRoles,
      'The member role has one name in every account of the organisation (aws:ResourceOrgID condition).',
    );

    // Member accounts forward their CloudTrail events here; nobody outside the organisation may.
    this.busPolicy = new CfnEventBusPolicy(this, 'BusPolicy', {
      eventBusName: 'default',
      statementId: 'soc2-ml-evidence-organization',
      statement: {
        Sid: 'soc2-ml-evidence-organization',
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: `arn:${Aws.PARTITION}:events:${stack.region}:${stack.account}:event-bus/default`,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': organizationId } },
      },
    });

    if (organization.organizationalUnits.length > 0) {
      this.memberStackSet = new MemberRoleStackSet(this, 'Members', {
        roleName: organization.memberRoleName,
        externalId: organization.externalId!,
        regions: props.config.regions,
        organizationalUnits: organization.organizationalUnits,
        // Bucket regions too: a member bucket's change events exist only in its region.
        instanceRegions: [
          ...new Set([GLOBAL_EVENTS_REGION, ...props.config.regions, ...props.config.changeEvents.bucketRegions]),
        ],
        collectorRoleArn: this.fanout.memberCollectorRole.roleArn,
        changeEventsRoleArn: props.changeEventsRole.roleArn,
        callAs: organization.stackSetCallAs,
      });
    }

    new CfnOutput(this, 'StateMachineArn', {
      description: 'Organisation-wide collection (Step Functions); start an execution to collect now',
      value: this.fanout.stateMachine.stateMachineArn,
    });
  }
}
