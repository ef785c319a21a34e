import {
  type CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  type AdvancedEventSelector as SdkAdvancedEventSelector,
  type EventSelector as SdkEventSelector,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import pLimit from 'p-limit';
import type { EvidenceResource } from '../evidence/record';
import {
  type AdvancedEventSelector,
  type BasicEventSelector,
  CLOUDTRAIL_TRAIL_TYPE,
  type CloudTrailTrailConfiguration,
  type FieldSelector,
} from '../evidence/resources/cloudtrail';
import { cloudTrailService } from '../services/cloudtrail/descriptor';
import { CollectionLog } from './collection-log';
import { iso } from './pages';
import type { Collector, CollectorContext, CollectorOutput } from './types';

const VANISHED = ['TrailNotFoundException'];

export const cloudTrailCollector: Collector = {
  name: 'cloudtrail',
  version: '1.0.0',
  global: cloudTrailService.global,
  collect: collectCloudTrail,
};

/** Every trail visible in the region (shadow and organization trails included), or one trail by ARN. */
export async function collectCloudTrail(context: CollectorContext): Promise<CollectorOutput> {
  const log = new CollectionLog(context.deadline);
  const cloudTrail = context.clients.cloudTrail(context.region);
  const scoped = context.scope.type === 'resource' ? context.scope.resource : undefined;

  const listing = await log.call('cloudtrail:DescribeTrails', scoped, () =>
    cloudTrail.send(new DescribeTrailsCommand({ includeShadowTrails: true, ...(scoped ? { trailNameList: [scoped] } : {}) })),
  );
  if (listing.status !== 'ok') return { resources: [], ...log.output() };
  const trails = listing.value.trailList ?? [];
  if (scoped && trails.length === 0) {
    log.note(scoped, 'trail no longer exists');
    log.deleted.push(scoped);
  }

  const limit = pLimit(Math.max(1, context.settings.concurrency));
  const described = await Promise.all(trails.map((trail) => limit(() => describeTrail(context, cloudTrail, log, trail))));
  const resources = described.filter((r): r is EvidenceResource => r !== undefined);
  return { resources, ...log.output() };
}

async function describeTrail(
  context: CollectorContext,
  cloudTrail: CloudTrailClient,
  log: CollectionLog,
  trail: Trail,
): Promise<EvidenceResource | undefined> {
  const arn = trail.TrailARN ?? trail.Name ?? '';
  if (!log.mayDescribe(arn)) return undefined;
  const homeRegion = trail.HomeRegion ?? context.region;
  const configuration: CloudTrailTrailConfiguration = {
    name: trail.Name ?? '',
    homeRegion,
    isShadow: homeRegion !== context.region,
    isMultiRegion: trail.IsMultiRegionTrail === true,
    isOrganizationTrail: trail.IsOrganizationTrail === true,
    includeGlobalServiceEvents: trail.IncludeGlobalServiceEvents === true,
    logFileValidationEnabled: trail.LogFileValidationEnabled === true,
    kmsKeyId: trail.KmsKeyId ?? null,
    ...(trail.S3BucketName ? { s3BucketName: trail.S3BucketName } : {}),
    ...(trail.S3KeyPrefix ? { s3KeyPrefix: trail.S3KeyPrefix } : {}),
    ...(trail.CloudWatchLogsLogGroupArn ? { cloudWatchLogsLogGroupArn: trail.CloudWatchLogsLogGroupArn } : {}),
  };
  // A shadow trail belongs to its home region: ask there, naming the trail by ARN.
  const owner = configuration.isShadow ? context.clients.cloudTrail(homeRegion) : cloudTrail;
  const [status, selectors] = await Promise.all([
    log.call('cloudtrail:GetTrailStatus', arn, () => owner.send(new GetTrailStatusCommand({ Name: arn })), VANISHED),
    log.call('cloudtrail:GetEventSelectors', arn, () => owner.send(new GetEventSelectorsCommand({ TrailName: arn })), VANISHED),
  ]);
  if (status.status === 'absent' || selectors.status === 'absent') {
    log.note(arn, 'trail no longer exists: deleted between list and describe');
    log.deleted.push(arn);
    return undefined;
  }
  if (status.status === 'ok') {
    configuration.status = {
      isLogging: status.value.IsLogging === true,
      ...(status.value.LatestDeliveryTime ? { latestDeliveryTime: iso(status.value.LatestDeliveryTime) } : {}),
      ...(status.value.LatestDeliveryError ? { latestDeliveryError: status.value.LatestDeliveryError } : {}),
      ...(status.value.LatestCloudWatchLogsDeliveryTime
        ? { latestCloudWatchLogsDeliveryTime: iso(status.value.LatestCloudWatchLogsDeliveryTime) }
        : {}),
      ...(status.value.LatestCloudWatchLogsDeliveryError
        ? { latestCloudWatchLogsDeliveryError: status.value.LatestCloudWatchLogsDeliveryError }
        : {}),
    };
  }
  if (selectors.status === 'ok') {
    configuration.eventSelectors = {
      basic: (selectors.value.EventSelectors ?? []).map(normaliseBasicSelector),
      advanced: (selectors.value.AdvancedEventSelectors ?? []).map(normaliseAdvancedSelector),
    };
  }
  return { arn, type: CLOUDTRAIL_TRAIL_TYPE, region: context.region, configuration, tags: {} };
}

function normaliseBasicSelector(selector: SdkEventSelector): BasicEventSelector {
  const readWriteType = selector.ReadWriteType;
  return {
    readWriteType: readWriteType === 'ReadOnly' || readWriteType === 'WriteOnly' ? readWriteType : 'All',
    // AWS's default for an omitted flag is true.
    includeManagementEvents: selector.IncludeManagementEvents !== false,
    dataResources: (selector.DataResources ?? []).map((d) => ({ type: d.Type ?? '', values: d.Values ?? [] })),
    excludeManagementEventSources: selector.ExcludeManagementEventSources ?? [],
  };
}

function normaliseAdvancedSelector(selector: SdkAdvancedEventSelector): AdvancedEventSelector {
  return {
    ...(selector.Name ? { name: selector.Name } : {}),
    fieldSelectors: (selector.FieldSelectors ?? []).map((f) => {
      const field: FieldSelector = { field: f.Field ?? '' };
      if (f.Equals) field.equals = f.Equals;
      if (f.StartsWith) field.startsWith = f.StartsWith;
      if (f.EndsWith) field.endsWith = f.EndsWith;
      if (f.NotEquals) field.notEquals = f.NotEquals;
      if (f.NotStartsWith) field.notStartsWith = f.NotStartsWith;
      if (f.NotEndsWith) field.notEndsWith = f.NotEndsWith;
      return field;
    }),
  };
}
