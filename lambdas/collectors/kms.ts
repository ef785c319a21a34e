import {
  type AliasListEntry,
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  type KMSClient,
  paginateListAliases,
  paginateListKeys,
  paginateListResourceTags,
} from '@aws-sdk/client-kms';
import pLimit from 'p-limit';
import type { EvidenceResource } from '../evidence/record';
import { KMS_KEY_TYPE, type KmsKeyConfiguration, rotationNotApplicableReason } from '../evidence/resources/kms';
import { kmsService } from '../services/kms/descriptor';
import { CollectionLog } from './collection-log';
import { collectListing, collectPages, iso } from './pages';
import type { Collector, CollectorContext, CollectorOutput } from './types';

/** Answered for keys rotation cannot apply to: a fact about the key, not an error. */
const UNSUPPORTED = ['UnsupportedOperationException'];
const VANISHED = ['NotFoundException'];
/** Answered for keys that are not Enabled (pending deletion or import): rotation is not judged on them. */
const INVALID_STATE = 'KMSInvalidStateException';

export const kmsCollector: Collector = {
  name: 'kms',
  version: '1.0.0',
  global: kmsService.global,
  collect: collectKms,
};

/** Every key of the region with rotation, policy, aliases and tags; or one key (id or ARN). */
export async function collectKms(context: CollectorContext): Promise<CollectorOutput> {
  const log = new CollectionLog(context.deadline);
  const kms = context.clients.kms(context.region);

  // A ListKeys that stops part-way keeps the keys read: checks judge them and report the gap as ERROR.
  const keyIds =
    context.scope.type === 'all'
      ? (
          await collectListing(
            log,
            'kms:ListKeys',
            () => paginateListKeys({ client: kms, pageSize: kmsService.pageSizes.listings }, {}),
            (p) => p.Keys?.map((k) => k.KeyArn ?? k.KeyId ?? ''),
          )
        ).items
      : [context.scope.resource];

  // One listing of the region's aliases serves every key.
  const aliases = await collectPages(
    log,
    'kms:ListAliases',
    undefined,
    () => paginateListAliases({ client: kms, pageSize: kmsService.pageSizes.listings }, {}),
    (p) => p.Aliases,
  );
  const aliasesByKey = aliases ? groupAliases(aliases) : undefined;

  const limit = pLimit(Math.max(1, context.settings.concurrency));
  const described = await Promise.all(keyIds.map((keyId) => limit(() => describeKey(context, kms, log, keyId, aliasesByKey))));
  const resources = described.filter((r): r is EvidenceResource => r !== undefined);
  context.progress?.(`kms ${context.region}: ${resources.length} keys`);
  return { resources, ...log.output() };
}

function groupAliases(aliases: AliasListEntry[]): Map<string, string[]> {
  const byKey = new Map<string, string[]>();
  for (const alias of aliases) {
    if (!alias.TargetKeyId || !alias.AliasName) continue;
    byKey.set(alias.TargetKeyId, [...(byKey.get(alias.TargetKeyId) ?? []), alias.AliasName]);
  }
  return byKey;
}

async function describeKey(
  context: CollectorContext,
  kms: KMSClient,
  log: CollectionLog,
  keyIdOrArn: string,
  aliasesByKey: Map<string, string[]> | undefined,
): Promise<EvidenceResource | undefined> {
  const expectedArn = keyIdOrArn.startsWith('arn:')
    ? keyIdOrArn
    : `arn:aws:kms:${context.region}:${context.account}:key/${keyIdOrArn}`;
  // A key we could not describe keeps its id, so checks report it as ERROR rather than skip it.
  const undescribed: EvidenceResource = {
    arn: expectedArn,
    type: KMS_KEY_TYPE,
    region: context.region,
    configuration: { keyId: expectedArn.replace(/^.*:key\//, '') },
    tags: {},
  };
  if (!log.mayDescribe(expectedArn)) return undescribed;
  const described = await log.call(
    'kms:DescribeKey',
    expectedArn,
    () => kms.send(new DescribeKeyCommand({ KeyId: keyIdOrArn })),
    VANISHED,
  );
  if (described.status === 'absent') {
    log.note(keyIdOrArn, 'key no longer exists');
    log.deleted.push(keyIdOrArn);
    return undefined;
  }
  const metadata = described.status === 'ok' ? described.value.KeyMetadata : undefined;
  if (!metadata?.KeyId) {
    if (described.status === 'ok')
      log.error('kms:DescribeKey', expectedArn, { name: 'IncompleteAnswer', message: 'DescribeKey returned no KeyId' });
    return undescribed;
  }

  const arn = metadata.Arn ?? expectedArn;
  const KeyId = metadata.KeyId;
  const notApplicable = rotationNotApplicableReason({
    keyManager: metadata.KeyManager,
    keySpec: metadata.KeySpec,
    keyUsage: metadata.KeyUsage,
    origin: metadata.Origin,
    customKeyStoreId: metadata.CustomKeyStoreId,
  });
  const configuration: KmsKeyConfiguration = {
    keyId: KeyId,
    ...(metadata.Description ? { description: metadata.Description } : {}),
    keyManager: metadata.KeyManager ?? 'UNKNOWN',
    keyState: metadata.KeyState ?? 'UNKNOWN',
    keySpec: metadata.KeySpec ?? 'UNKNOWN',
    keyUsage: metadata.KeyUsage ?? 'UNKNOWN',
    origin: metadata.Origin ?? 'UNKNOWN',
    ...(metadata.CustomKeyStoreId ? { customKeyStoreId: metadata.CustomKeyStoreId } : {}),
    multiRegion: metadata.MultiRegion === true,
    ...(metadata.CreationDate ? { creationDate: iso(metadata.CreationDate) } : {}),
    ...(metadata.DeletionDate ? { deletionDate: iso(metadata.DeletionDate) } : {}),
    rotationApplicable: notApplicable === undefined,
    ...(notApplicable ? { rotationNotApplicableReason: notApplicable } : {}),
  };
  if (aliasesByKey) configuration.aliases = aliasesByKey.get(KeyId) ?? [];
  const tags: Record<string, string> = {};

  if (metadata.KeyManager === 'AWS') {
    // AWS owns these keys' rotation and policy, and they cannot be tagged: asking is wasted calls.
    configuration.skipped = ['GetKeyRotationStatus, GetKeyPolicy, ListResourceTags: AWS managed key'];
    return { arn, type: KMS_KEY_TYPE, region: context.region, configuration, tags };
  }

  const [rotation, policy, tagList] = await Promise.all([
    log.call(
      'kms:GetKeyRotationStatus',
      arn,
      () => kms.send(new GetKeyRotationStatusCommand({ KeyId })),
      metadata.KeyState === 'Enabled' ? UNSUPPORTED : [...UNSUPPORTED, INVALID_STATE],
    ),
    log.call('kms:GetKeyPolicy', arn, () => kms.send(new GetKeyPolicyCommand({ KeyId, PolicyName: 'default' }))),
    collectPages(
      log,
      'kms:ListResourceTags',
      arn,
      () => paginateListResourceTags({ client: kms, pageSize: kmsService.pageSizes.resourceTags }, { KeyId }),
      (p) => p.Tags,
    ),
  ]);
  if (rotation.status === 'ok') {
    configuration.rotationEnabled = rotation.value.KeyRotationEnabled === true;
    configuration.rotationPeriodInDays = rotation.value.RotationPeriodInDays ?? null;
  } else if (rotation.status === 'absent' && rotation.code === INVALID_STATE) {
    log.note(arn, `rotation status not available in key state ${configuration.keyState}`);
  } else if (rotation.status === 'absent' && configuration.rotationApplicable) {
    configuration.rotationApplicable = false;
    configuration.rotationNotApplicableReason = 'GetKeyRotationStatus answered UnsupportedOperationException';
  }
  if (policy.status === 'ok') {
    try {
      configuration.keyPolicy = JSON.parse(policy.value.Policy ?? '');
    } catch {
      log.error('kms:GetKeyPolicy', arn, { name: 'MalformedPolicy', message: 'key policy is not valid JSON' });
    }
  }
  for (const tag of tagList ?? []) if (tag.TagKey !== undefined) tags[tag.TagKey] = tag.TagValue ?? '';
  return { arn, type: KMS_KEY_TYPE, region: context.region, configuration, tags };
}
