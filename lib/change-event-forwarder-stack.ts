import { Aws, Stack, type StackProps } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget } from 'aws-cdk-lib/aws-events-targets';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { ChangeEventGroup } from '../lambdas/events/event-map';
import { ChangeEventRules } from './change-event-rules';

/** The only region where EventBridge receives events of global services such as IAM. */
export const GLOBAL_EVENTS_REGION = 'us-east-1';
/** CloudTrail event sources of global services: their change events exist only in us-east-1. */
export const GLOBAL_EVENT_SOURCES: readonly string[] = ['iam.amazonaws.com'];
/**
 * S3 is described from one region, but a bucket's events reach EventBridge only in the bucket's
 * region ("Amazon S3 Event Notifications with EventBridge", and CloudTrail's "Logging Amazon S3
 * API calls" for bucket-level events): forwarded from changeEvents.bucketRegions too.
 */
export const BUCKET_EVENT_SOURCE = 's3.amazonaws.com';

/** The regions whose change events an app must see, besides the home region itself. */
export interface WatchedRegions {
  /** config.regions: every regional service's events. */
  collected: readonly string[];
  /** config.changeEvents.bucketRegions: S3's events only. */
  buckets: readonly string[];
}

/**
 * The change events a region other than home must forward: the regional services' when the
 * collectors describe that region, S3's also where buckets live, the global services' in
 * us-east-1. Empty: no forwarder.
 */
export function forwardedGroups(
  region: string,
  watched: WatchedRegions,
  groups: readonly ChangeEventGroup[],
): ChangeEventGroup[] {
  return groups.filter(({ eventSource }) => {
    if (GLOBAL_EVENT_SOURCES.includes(eventSource)) return region === GLOBAL_EVENTS_REGION;
    if (eventSource === BUCKET_EVENT_SOURCE && watched.buckets.includes(region)) return true;
    return watched.collected.includes(region);
  });
}

export interface ChangeEventForwarderStackProps extends StackProps {
  /** The region of the main stack, whose default event bus receives the forwarded events. */
  homeRegion: string;
  /** The change events to forward (forwardedGroups). */
  groups: readonly ChangeEventGroup[];
}

/**
 * EventBridge delivers CloudTrail events only in the region of the call (us-east-1 for global
 * services such as IAM). Deployed in each such region other than home, this stack matches
 * them with the same patterns as at home and forwards them to the home region's default bus,
 * where the home rules route them to the change-event queue.
 */
export class ChangeEventForwarderStack extends Stack {
  readonly rules: ChangeEventRules;

  constructor(scope: Construct, id: string, props: ChangeEventForwarderStackProps) {
    super(scope, id, props);
    const homeBus = EventBus.fromEventBusArn(
      this,
      'HomeBus',
      `arn:${Aws.PARTITION}:events:${props.homeRegion}:${this.account}:event-bus/default`,
    );
    const role = new Role(this, 'ForwardRole', {
      assumedBy: new ServicePrincipal('events.amazonaws.com'),
      description: `soc2-ml-evidence: forwards change events to ${props.homeRegion}`,
    });
    this.rules = new ChangeEventRules(this, 'Rules', {
      groups: props.groups,
      target: new EventBusTarget(homeBus, { role }),
      purpose: `the ${props.homeRegion} default event bus`,
    });
  }
}
