import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { memberAccountTemplate } from '../../lib/member-role-stack-set';
import { REAL_SHAPE_FIXTURES } from '../fixtures/cloudtrail-real';
import { matchWithEventRuler } from '../helpers/event-ruler';
import { buildTestApp } from './synth';

/**
 * The synthesised EventBridge rules against real-shape CloudTrail records, matched by AWS Event
 * Ruler (the library EventBridge matches with) rather than by our reading of the patterns.
 */
const FIXTURES = join(__dirname, '..', 'fixtures', 'cloudtrail-real');
const CLOUDTRAIL_API_CALL = 'AWS API Call via CloudTrail';

interface Pattern {
  'detail-type': string[];
  detail: { eventSource: string[]; additionalEventData?: { service: string[] } };
}

/** Rule logical id (prefixed with the template it came from) -> its event pattern. */
function changeRulePatterns(prefix: string, resources: Record<string, { Type: string; Properties: { EventPattern?: Pattern } }>) {
  const rules: Record<string, Pattern> = {};
  for (const [id, resource] of Object.entries(resources)) {
    const pattern = resource.Properties?.EventPattern;
    if (resource.Type === 'AWS::Events::Rule' && pattern?.['detail-type']?.includes(CLOUDTRAIL_API_CALL))
      rules[`${prefix}/${id}`] = pattern;
  }
  return rules;
}

/** What a rule matches, in the fixtures' terms: event source, and service where sources are shared. */
const ruleKey = (pattern: Pattern) =>
  [pattern.detail.eventSource[0], ...(pattern.detail.additionalEventData?.service ?? [])].join(' ');

describe('EventBridge rules matched by AWS Event Ruler against real-shape CloudTrail records', () => {
  // Home eu-west-1, collecting where the fixtures were recorded: the us-east-1 forwarder carries every source.
  const { stack, forwarders } = buildTestApp(
    { regions: ['eu-west-1', 'us-east-1', 'us-west-2'] },
    { nag: false, env: { account: '111122223333', region: 'eu-west-1' } },
  );
  const templates = {
    home: Template.fromStack(stack).toJSON().Resources,
    'forwarder-us-east-1': Template.fromStack(forwarders.find((f) => f.region === 'us-east-1')!).toJSON().Resources,
    member: memberAccountTemplate({ roleName: 'soc2-ml-member', externalId: 'x', regions: ['eu-west-1'] }).Resources as Record<
      string,
      { Type: string; Properties: { EventPattern?: Pattern } }
    >,
  };
  const rules = Object.assign({}, ...Object.entries(templates).map(([name, resources]) => changeRulePatterns(name, resources)));
  const events = Object.fromEntries(
    REAL_SHAPE_FIXTURES.map((f) => [f.file, JSON.parse(readFileSync(join(FIXTURES, f.file), 'utf8'))]),
  );
  /** Every fixture that some rule must match, as a failed call: errorCode set as CloudTrail writes it. */
  const failedCalls = Object.fromEntries(
    REAL_SHAPE_FIXTURES.filter((f) => f.rule !== null).map((f) => {
      const event = structuredClone(events[f.file]);
      event.detail.errorCode = 'AccessDenied';
      event.detail.errorMessage = 'User is not authorized to perform this operation';
      return [`failed:${f.file}`, event];
    }),
  );
  let matched: Record<string, string[]>;

  beforeAll(async () => {
    matched = await matchWithEventRuler(rules, { ...events, ...failedCalls });
  }, 600_000);

  it('has change rules in the home stack, the forwarder and the member template', () => {
    for (const name of Object.keys(templates))
      expect(Object.keys(rules).filter((id) => id.startsWith(`${name}/`)).length).toBeGreaterThan(0);
  });

  it.each(REAL_SHAPE_FIXTURES.map((f) => [f.file, f.rule ?? 'none']))(
    '%s is matched by exactly the rule %s in every template (none: no rule)',
    (file, expectedRule) => {
      // Act
      const byTemplate = Object.fromEntries(
        Object.keys(templates).map((name) => [
          name,
          (matched[file] ?? []).filter((id) => id.startsWith(`${name}/`)).map((id) => ruleKey(rules[id] as Pattern)),
        ]),
      );

      // Assess
      const expected = expectedRule === 'none' ? [] : [expectedRule];
      expect(byTemplate).toEqual(Object.fromEntries(Object.keys(templates).map((name) => [name, expected])));
    },
  );

  it('matches no record that carries an errorCode', () => {
    // Assess
    const matchedFailures = Object.keys(failedCalls).filter((id) => (matched[id] ?? []).length > 0);
    expect(Object.keys(failedCalls).length).toBeGreaterThan(20);
    expect(matchedFailures).toEqual([]);
  });
});
