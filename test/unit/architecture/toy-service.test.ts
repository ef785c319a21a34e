import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { loadCatalog } from '../../../lambdas/catalog/catalog';
import { ALL_CHECKS } from '../../../lambdas/checks/registry';
import { expandArnPattern } from '../../../lambdas/collectors/permissions';
import { parseConfig } from '../../../lambdas/config/schema';
import { cloudTrailDetailSchema } from '../../../lambdas/events/cloudtrail-event';
import { changeEventGroups } from '../../../lambdas/events/event-map';
import { targetResolver } from '../../../lambdas/events/targets';
import type { CollectorName } from '../../../lambdas/evidence/record';
import { evaluate } from '../../../lambdas/report/evaluate';
import { eventsOf, globalServiceNames, readGrantsOf, SERVICES } from '../../../lambdas/services';
import { ChangeEventRules } from '../../../lib/change-event-rules';
import { ACCOUNT, NOW, stored } from '../report/fixtures';
import toyCatalogRows from './toy/catalog.json';
import { toyWidgetEncrypted } from './toy/check';
import { TOY_WIDGET_TYPE, toyService } from './toy/descriptor';

/**
 * Adding a service is one folder (its descriptor and checks) plus its catalog rows: everything
 * else (IAM grants, the event map, EventBridge rules, the change-event resolver, the
 * global/regional lookup, evaluation) derives from the list of descriptors. Here that list is
 * the app's services plus a toy service whose folder is ./toy, and nothing outside ./toy is edited.
 */
const services = [...SERVICES, toyService];
const REGION = 'eu-west-1';

describe('a toy service added through its folder alone', () => {
  it('gets read grants derived from its descriptor, one ARN per region for regional resources', () => {
    // Act
    const grants = readGrantsOf(services).toy;
    const arns = grants.flatMap((grant) =>
      grant.resources === '*'
        ? ['*']
        : grant.resources.flatMap((p) =>
            expandArnPattern(p, { partition: 'aws', account: ACCOUNT, regions: [REGION, 'us-east-1'] }),
          ),
    );
    // Assess
    expect(grants.flatMap((g) => g.actions)).toEqual(['toy:ListWidgets', 'toy:DescribeWidget']);
    expect(arns).toEqual(['*', `arn:aws:toy:${REGION}:${ACCOUNT}:widget/*`, `arn:aws:toy:us-east-1:${ACCOUNT}:widget/*`]);
  });

  it('gets an EventBridge rule for its change events, next to the existing services', () => {
    // Arrange
    const stack = new Stack();
    const groups = changeEventGroups(eventsOf(services));
    // Act
    new ChangeEventRules(stack, 'Rules', { groups, target: new SqsQueue(new Queue(stack, 'Q')), purpose: 'test' });
    // Assess
    const toyGroup = groups.find((g) => g.eventSource === 'toy.amazonaws.com');
    expect(toyGroup).toEqual({ eventSource: 'toy.amazonaws.com', eventNames: ['CreateWidget', 'UpdateWidget'] });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        source: ['aws.toy'],
        detail: Match.objectLike({ eventSource: ['toy.amazonaws.com'], eventName: ['CreateWidget', 'UpdateWidget'] }),
      }),
    });
    expect(changeEventGroups(eventsOf(SERVICES))).toEqual(groups.filter((g) => g !== toyGroup));
  });

  it('has its change events resolved to its collector and resource by the same resolver, in the event region', () => {
    // Arrange
    const detail = cloudTrailDetailSchema.parse({
      eventTime: '2026-11-26T10:00:00Z',
      eventSource: 'toy.amazonaws.com',
      eventName: 'UpdateWidget',
      awsRegion: REGION,
      eventID: 'e1',
      recipientAccountId: ACCOUNT,
      userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/dana` },
      requestParameters: { widgetName: 'blue' },
    });
    // Act
    const resolution = targetResolver(services)(detail, 'us-east-1');
    // Assess
    expect(resolution).toEqual({
      kind: 'targets',
      targets: [
        {
          collector: 'toy',
          region: REGION,
          scope: { type: 'resource', resource: `arn:aws:toy:${REGION}:${ACCOUNT}:widget/blue` },
        },
      ],
    });
  });

  it('is evaluated by its check, reported under its catalog row, regional by its own flag', () => {
    // Arrange
    const checks = [...ALL_CHECKS, toyWidgetEncrypted];
    const catalog = loadCatalog({ extraItems: toyCatalogRows, checkIds: checks.map((c) => c.id) });
    const widget = (name: string, encrypted: boolean) => ({
      arn: `arn:aws:toy:${REGION}:${ACCOUNT}:widget/${name}`,
      type: TOY_WIDGET_TYPE,
      region: REGION,
      configuration: { name, encrypted },
      tags: {},
    });
    const record = stored({
      collector: { name: toyService.name as unknown as CollectorName, version: '1.0.0' },
      region: REGION,
      collectedAt: '2026-11-26T11:00:00.000Z',
      resources: [widget('blue', true), widget('red', false)],
    });
    // Act
    const result = evaluate({
      evidence: [record],
      manualEvidence: [],
      catalog,
      checks,
      config: parseConfig({ regions: [REGION] }),
      now: NOW,
      globalCollectors: globalServiceNames(services) as CollectorName[],
    });
    // Assess
    expect(globalServiceNames(services)).not.toContain('toy');
    const item = result.items.find((i) => i.id === 'TOY-1')!;
    expect(item.status).toBe('FAIL');
    expect(item.findings.map((f) => [f.resource.split('/').at(-1), f.status, f.region])).toEqual([
      ['blue', 'PASS', REGION],
      ['red', 'FAIL', REGION],
    ]);
  });
});
