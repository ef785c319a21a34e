import type { IRuleTarget } from 'aws-cdk-lib/aws-events';
import { Rule } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import type { ChangeEventGroup } from '../lambdas/events/event-map';

/** The detail-type EventBridge gives management events that CloudTrail delivers. */
export const CLOUDTRAIL_API_CALL = 'AWS API Call via CloudTrail';

/**
 * EventBridge `source` of a CloudTrail record: `aws.` and the event source's endpoint prefix, for
 * every service in the map. CloudWatch API calls arrive as aws.monitoring (aws.cloudwatch is only
 * the source of alarm state changes) and Application Auto Scaling's as aws.autoscaling. Checked
 * against AWS Event Ruler with documented records (test/infra/event-ruler.test.ts).
 */
export function eventBridgeSource(eventSource: string): string {
  return `aws.${eventSource.replace(/\.amazonaws\.com$/, '')}`;
}

/** PutRule takes patterns up to 4096 characters; staying at half leaves room for growth. */
const MAX_PATTERN_CHARS = 2048;

export interface ChangeEventRulesProps {
  /** The event names that can change a checked setting, by source (events/event-map.ts changeEventGroups()). */
  groups: readonly ChangeEventGroup[];
  target: IRuleTarget;
  /** Says in the rule description what the target does with the events. */
  purpose: string;
}

/**
 * One EventBridge rule per CloudTrail event source (split when the name list would make the
 * pattern too long): successful management calls only, as failed ones carry an errorCode
 * and changed nothing.
 */
export class ChangeEventRules extends Construct {
  readonly rules: Rule[] = [];

  constructor(scope: Construct, id: string, props: ChangeEventRulesProps) {
    super(scope, id);
    for (const group of props.groups) {
      const chunks = chunkByPatternSize(group);
      const label = group.service ?? group.eventSource;
      chunks.forEach((eventNames, index) => {
        const name = label.replace(/\.amazonaws\.com$/, '').replace(/[^A-Za-z0-9]/g, '-');
        this.rules.push(
          new Rule(this, chunks.length > 1 ? `${name}-${index + 1}` : name, {
            description: `soc2-ml-evidence: ${label} changes -> ${props.purpose}`,
            eventPattern: changeEventPattern({ ...group, eventNames }),
            targets: [props.target],
          }),
        );
      });
    }
  }
}

/** Successful calls (no errorCode) of the group's names; a shared source also matches on additionalEventData.service. */
export function changeEventPattern({ eventSource, service, eventNames }: ChangeEventGroup) {
  return {
    source: [eventBridgeSource(eventSource)],
    detailType: [CLOUDTRAIL_API_CALL],
    detail: {
      eventSource: [eventSource],
      eventName: [...eventNames],
      errorCode: [{ exists: false }],
      ...(service ? { additionalEventData: { service: [service] } } : {}),
    },
  };
}

function chunkByPatternSize(group: ChangeEventGroup): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  for (const eventName of group.eventNames) {
    const candidate = [...current, eventName];
    if (
      current.length > 0 &&
      JSON.stringify(changeEventPattern({ ...group, eventNames: candidate })).length > MAX_PATTERN_CHARS
    ) {
      chunks.push(current);
      current = [eventName];
    } else current = candidate;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
