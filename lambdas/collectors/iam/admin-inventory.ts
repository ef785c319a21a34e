import { type EvidenceResource, GLOBAL_REGION } from '../../evidence/record';
import {
  type Administrator,
  administratorGrants,
  IAM_ADMINISTRATORS_TYPE,
  IAM_GROUP_TYPE,
  IAM_MANAGED_POLICY_TYPE,
  IAM_ROLE_TYPE,
  IAM_USER_TYPE,
  type IamAdministratorsConfiguration,
  type IamGroupConfiguration,
  type IamManagedPolicyConfiguration,
  type IamRoleConfiguration,
  type IamUserConfiguration,
  iamAdministratorsArn,
} from '../../evidence/resources/iam';

/**
 * Users and roles that are administrators (administratorGrants: the same rule as
 * iam.no_users_with_admin), directly or (users) through a group. Computed only from complete inputs.
 */
export function administratorInventory(
  account: string,
  described: (EvidenceResource | undefined)[],
  unfinishedListings: string[],
): EvidenceResource | { missing: string } {
  if (unfinishedListings.length > 0) return { missing: `${unfinishedListings.join(', ')} did not complete` };
  if (described.includes(undefined)) return { missing: 'some principals were not described' };
  const resources = described as EvidenceResource[];
  const ofType = <T>(type: string) =>
    resources.filter((r) => r.type === type).map((r) => ({ arn: r.arn, configuration: r.configuration as T }));
  const policyDocuments = new Map(
    ofType<IamManagedPolicyConfiguration>(IAM_MANAGED_POLICY_TYPE).map((p) => [p.arn, p.configuration]),
  );
  const groups = new Map(ofType<IamGroupConfiguration>(IAM_GROUP_TYPE).map((g) => [g.configuration.groupName, g.configuration]));
  let missing: string | undefined;
  /** What grants a principal full administration, from its attached and inline policies. */
  const granting = (principal: Parameters<typeof administratorGrants>[0], owner: string): string[] => {
    const { grants, unknown } = administratorGrants(principal, owner, (arn) => policyDocuments.get(arn));
    if (unknown) missing ??= `${unknown.what} unknown`;
    return grants;
  };

  const administrators: Administrator[] = [];
  for (const user of ofType<IamUserConfiguration>(IAM_USER_TYPE)) {
    const grantedBy = granting(user.configuration, user.arn);
    if (user.configuration.groups === undefined) missing ??= `groups of ${user.arn} unknown`;
    for (const group of user.configuration.groups ?? []) {
      for (const grant of granting(groups.get(group), `group ${group}`)) grantedBy.push(`group/${group}: ${grant}`);
    }
    if (grantedBy.length > 0) administrators.push({ arn: user.arn, principalType: 'user', grantedBy });
  }
  for (const role of ofType<IamRoleConfiguration>(IAM_ROLE_TYPE)) {
    const grantedBy = granting(role.configuration, role.arn);
    if (grantedBy.length > 0) administrators.push({ arn: role.arn, principalType: 'role', grantedBy });
  }
  if (missing) return { missing };
  const configuration: IamAdministratorsConfiguration = { administrators };
  return { arn: iamAdministratorsArn(account), type: IAM_ADMINISTRATORS_TYPE, region: GLOBAL_REGION, configuration, tags: {} };
}
