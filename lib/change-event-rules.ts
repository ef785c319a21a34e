import type { IRuleTarget } from 'aws-cdk-lib/aws-events';
import { Rule } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

/** The detail-type EventBridge gives management events that CloudTrail delivers. */
export const CLOUDTRAIL_API_CALL = 'AWS API Call via CloudTrail';

/**
 * EventBridge `source` of a CloudTrail event source: `aws.<service>`, except where the
 * service's EventBridge name differs from its endpoint prefix.
 */
const SOURCE_OVERRIDES: Record<string, string> = { 'monitoring.amazonaws.com': 'aws.cloudwatch' };

export function eventBridgeSource(eventSource: string): string {
  return SOURCE_OVERRIDES[eventSource] ?? `aws.${eventSource.replace(/\.amazonaws\.com$/, '')}`;
}

/** PutRule takes patterns up to 4096 characters; staying at half leaves room for growth. */
const MAX_PATTERN_CHARS = 2048;

export interface ChangeEventRulesProps {
  /** eventSource -> eventNames that can change a checked setting (events/event-map.ts eventPatternsBySource()). */
  eventPatterns: Record<string, readonly string[]>;
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
    for (const eventSource of Object.keys(props.eventPatterns).sort()) {
      const chunks = chunkByPatternSize(eventSource, [...(props.eventPatterns[eventSource] ?? [])]);
      chunks.forEach((eventNames, index) => {
        const name = eventSource.replace(/\.amazonaws\.com$/, '').replace(/[^A-Za-z0-9]/g, '-');
        this.rules.push(
          new Rule(this, chunks.length > 1 ? `${name}-${index + 1}` : name, {
            description: `soc2-ml-evidence: ${eventSource} changes -> ${props.purpose}`,
            eventPattern: changeEventPattern(eventSource, eventNames),
            targets: [props.target],
          }),
        );
      });
    }
  }
}

export function changeEventPattern(eventSource: string, eventNames: readonly string[]) {
  return {
    source: [eventBridgeSource(eventSource)],
    detailType: [CLOUDTRAIL_API_CALL],
    detail: { eventSource: [eventSource], eventName: [...eventNames], errorCode: [{ exists: false }] },
  };
}

function chunkByPatternSize(eventSource: string, eventNames: string[]): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  for (const eventName of eventNames) {
    const candidate = [...current, eventName];
    if (current.length > 0 && JSON.stringify(changeEventPattern(eventSource, candidate)).length > MAX_PATTERN_CHARS) {
      chunks.push(current);
      current = [eventName];
    } else current = candidate;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
