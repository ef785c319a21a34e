import { ArnPrincipal, CompositePrincipal, PolicyDocument, Role } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { COLLECTOR_NAMES } from '../lambdas/evidence/record';
import { acknowledgeCollectorReads, collectorReadStatements } from './collector-read-policy';

export interface MemberCollectorRoleProps {
  roleName: string;
  /** The central account's roles that may assume it: the fan-out collector and the change path. */
  trustedRoleArns: readonly string[];
  externalId: string;
  /** Regions the collectors describe: regional permissions name exactly these. */
  regions: readonly string[];
}

/**
 * The read-only role in a member account: every collector's read actions, from the one
 * permissions table, assumable only by the central roles presenting the external ID.
 */
export class MemberCollectorRole extends Construct {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: MemberCollectorRoleProps) {
    super(scope, id);
    const read = { collectors: COLLECTOR_NAMES, regions: props.regions };
    const condition = { StringEquals: { 'sts:ExternalId': props.externalId } };
    this.role = new Role(this, 'Role', {
      roleName: props.roleName,
      description: 'soc2-ml-evidence: read-only collection by the central soc2-ml-evidence account',
      assumedBy: new CompositePrincipal(...props.trustedRoleArns.map((arn) => new ArnPrincipal(arn).withConditions(condition))),
      inlinePolicies: { read: new PolicyDocument({ statements: collectorReadStatements(this, read) }) },
    });
    acknowledgeCollectorReads(this.role, read);
  }
}
