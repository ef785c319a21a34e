import { policyStatements } from '../evidence/resources/iam';
import { KMS_KEY_TYPE, type KmsKeyConfiguration, kmsKeyConfigurationSchema } from '../evidence/resources/kms';
import { defineResourceCheck, type ResourceCheckSpec } from './framework';
import { fail, missing, pass } from './helpers';
import type { Check, CheckContext, SnapshotResource } from './types';

/** A key kept by id only because DescribeKey failed or the deadline came: its manager and state are unknown. */
const undescribed = (c: Partial<KmsKeyConfiguration>) => c.keyManager === undefined;

const keyCheck = (
  spec: Omit<ResourceCheckSpec<KmsKeyConfiguration>, 'collector' | 'type' | 'schema' | 'undescribed' | 'population'> & {
    scopeName: string;
  },
): Check => {
  const { scopeName, ...rest } = spec;
  return defineResourceCheck({
    ...rest,
    collector: 'kms',
    type: KMS_KEY_TYPE,
    schema: kmsKeyConfigurationSchema,
    undescribed,
    population: { what: scopeName, listApis: ['kms:ListKeys'] },
  });
};

/**
 * Customer managed symmetric AWS_KMS keys that are Enabled: where rotation is both possible and
 * due. An undescribed key may be one, so it stays in scope (and is ERROR).
 */
const rotatable = (c: Partial<KmsKeyConfiguration>) =>
  undescribed(c) || (c.keyManager === 'CUSTOMER' && c.keyState === 'Enabled' && c.rotationApplicable === true);

const rotationEnabled = keyCheck({
  id: 'kms.rotation_enabled',
  passCondition: 'automatic rotation is on for every Enabled customer managed symmetric key',
  remediation: 'Enable automatic key rotation on the key (EnableKeyRotation).',
  inScope: rotatable,
  judge: (c, resource, snapshot) => {
    if (c.rotationEnabled === undefined) return missing(snapshot, resource.arn, 'rotation status', 'kms:GetKeyRotationStatus');
    return c.rotationEnabled ? pass('KeyRotationEnabled true') : fail('KeyRotationEnabled false');
  },
  scopeName: 'Enabled customer managed symmetric keys',
});

/** Before configurable periods (2024) KMS rotated every 365 days, and some answers still omit the period. */
const KMS_DEFAULT_ROTATION_DAYS = 365;

const rotationPeriod = keyCheck({
  id: 'kms.rotation_period',
  passCondition: 'the rotation period is at most the configured days (default 365)',
  remediation: 'Enable rotation with a RotationPeriodInDays no longer than the configured maximum.',
  inScope: rotatable,
  judge: (c, resource, snapshot, context) => {
    const limit = context.config.thresholds.kmsRotationMaxDays;
    if (c.rotationEnabled === undefined) return missing(snapshot, resource.arn, 'rotation status', 'kms:GetKeyRotationStatus');
    if (!c.rotationEnabled) return fail('KeyRotationEnabled false: the key is never rotated');
    const days = c.rotationPeriodInDays ?? KMS_DEFAULT_ROTATION_DAYS;
    const source =
      c.rotationPeriodInDays === null || c.rotationPeriodInDays === undefined
        ? `RotationPeriodInDays not returned, KMS default ${KMS_DEFAULT_ROTATION_DAYS}`
        : `RotationPeriodInDays ${days}`;
    return days <= limit ? pass(`${source} <= ${limit}`) : fail(`${source} > ${limit}`);
  },
  scopeName: 'Enabled customer managed symmetric keys',
});

/** Condition keys that pin who may use the key: with one of them, principal "*" is not public. */
const RESTRICTING_CONDITION_KEYS = new Set(
  [
    'kms:CallerAccount',
    'kms:ViaService',
    'aws:PrincipalAccount',
    'aws:PrincipalArn',
    'aws:PrincipalOrgID',
    'aws:PrincipalOrgPaths',
    'aws:SourceAccount',
    'aws:SourceArn',
    'aws:SourceOrgID',
    'aws:SourceVpc',
    'aws:SourceVpce',
    'aws:userid',
    'aws:username',
  ].map((k) => k.toLowerCase()),
);

const isEveryone = (principal: unknown): boolean => {
  if (principal === '*') return true;
  if (!principal || typeof principal !== 'object') return false;
  const aws = (principal as { AWS?: unknown }).AWS;
  return aws === '*' || (Array.isArray(aws) && aws.includes('*'));
};

const hasRestrictingCondition = (condition: unknown): boolean =>
  !!condition &&
  typeof condition === 'object' &&
  Object.values(condition as Record<string, unknown>).some(
    (operands) =>
      !!operands &&
      typeof operands === 'object' &&
      Object.keys(operands as Record<string, unknown>).some((key) => RESTRICTING_CONDITION_KEYS.has(key.toLowerCase())),
  );

const policyNoPublic = keyCheck({
  id: 'kms.policy_no_public',
  passCondition: 'the key policy has no Allow statement to principal * without a condition restricting the caller',
  remediation: 'Name the principals in the key policy, or add a kms:CallerAccount / aws:PrincipalOrgID condition.',
  inScope: (c) => undescribed(c) || c.keyManager === 'CUSTOMER',
  judge: (c, resource, snapshot) => {
    if (c.keyPolicy === undefined) return missing(snapshot, resource.arn, 'key policy', 'kms:GetKeyPolicy');
    const open = policyStatements(c.keyPolicy).filter(
      (s) => s.Effect === 'Allow' && isEveryone(s.Principal) && !hasRestrictingCondition(s.Condition),
    );
    return open.length > 0
      ? fail(`key policy allows Principal * without a restricting condition (Sid ${open.map((s) => s.Sid ?? 'none').join(', ')})`)
      : pass('no Allow statement to Principal * without a restricting condition');
  },
  scopeName: 'customer managed keys',
});

/** Every way a resource may name the key: id, ARN, alias names and alias ARNs. */
function keyIdentifiers(c: Partial<KmsKeyConfiguration>, resource: SnapshotResource): string[] {
  const aliasArnPrefix = resource.arn.replace(/:key\/.*$/, ':');
  const aliases = c.aliases ?? [];
  return [resource.arn, ...(c.keyId ? [c.keyId] : []), ...aliases, ...aliases.map((alias) => `${aliasArnPrefix}${alias}`)];
}

const inUse = (c: Partial<KmsKeyConfiguration>, resource: SnapshotResource, _snapshot: unknown, context: CheckContext) =>
  keyIdentifiers(c, resource).some((id) => context.mlScope.isKeyInUse(resource.account, resource.region, id));

const inUseNotDisabled = keyCheck({
  id: 'kms.in_use_not_disabled',
  passCondition: 'a key used by an ML resource or bucket is Enabled (not Disabled or PendingDeletion)',
  remediation: 'Re-enable the key (or cancel its deletion), or move the ML resources to another key first.',
  inScope: inUse,
  judge: (c) => (c.keyState === 'Enabled' ? pass('KeyState Enabled') : fail(`KeyState ${c.keyState}`)),
  scopeName: 'keys used by ML resources',
  // Which keys are in use comes from SageMaker evidence: missing or stale, the scope is unknown.
  collectors: ['kms', 'sagemaker'],
  mlScoped: true,
});

export const KMS_CHECKS: Check[] = [rotationEnabled, rotationPeriod, policyNoPublic, inUseNotDisabled];
