/**
 * Writes test/fixtures/events/<eventName>.json: one EventBridge "AWS API Call via CloudTrail"
 * event per entry of the event map, with the identifier where the map looks for it. Run after
 * adding events to the map (`npx tsx scripts/generate-event-fixtures.ts`); existing files are
 * kept, so fixtures edited by hand stay as they are.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_MAP, type EventMapping, type Locator, type ResourceForm } from '../lambdas/events/event-map';
import { eventBridgeSource } from '../lib/change-event-rules';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const OUT_DIR = join(__dirname, '..', 'test', 'fixtures', 'events');

function sampleValue(form: ResourceForm, eventName: string): string {
  switch (form) {
    case 's3Bucket':
      return 'ml-training-data';
    case 's3AccountPublicAccessBlock':
    case 'iamAccount':
      return ACCOUNT;
    case 'kmsKey':
      return eventName === 'CreateKey'
        ? `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`
        : '1234abcd-12ab-34cd-56ef-1234567890ab';
    case 'iamUser':
      return 'alice';
    case 'iamGroup':
      return 'ml-engineers';
    case 'iamRole':
      return 'SageMakerExecutionRole';
    case 'iamPolicy':
      return `arn:aws:iam::${ACCOUNT}:policy/MlDataAccess`;
    case 'cloudTrailTrail':
      return 'org-trail';
    case 'sagemakerEndpointOfScalableTarget':
      return 'endpoint/churn-endpoint/variant/AllTraffic';
    case 'sagemaker:domain':
      return 'd-abc123xyz456';
    case 'sagemaker:model-package':
      return `arn:aws:sagemaker:${REGION}:${ACCOUNT}:model-package/churn-models/1`;
    case 'bedrockArn':
      return eventName === 'CreateModelCustomizationJob'
        ? `arn:aws:bedrock:${REGION}:${ACCOUNT}:model-customization-job/amazon.titan-text-express-v1:0:8k/abcd1234efgh`
        : `arn:aws:bedrock:${REGION}:${ACCOUNT}:custom-model/amazon.titan-text-express-v1:0:8k/ijkl5678mnop`;
    case 'bedrockGuardrail':
      return eventName === 'CreateGuardrail' ? `arn:aws:bedrock:${REGION}:${ACCOUNT}:guardrail/gr1abc2def3g` : 'gr1abc2def3g';
    case 'bedrockAgent':
      return eventName === 'CreateAgent' ? `arn:aws:bedrock:${REGION}:${ACCOUNT}:agent/AGENT12345` : 'AGENT12345';
    case 'bedrockKnowledgeBase':
      return eventName === 'CreateKnowledgeBase'
        ? `arn:aws:bedrock:${REGION}:${ACCOUNT}:knowledge-base/KB12345678`
        : 'KB12345678';
    case 'ecrRepository':
      return eventName === 'TagResource' || eventName === 'UntagResource' || eventName === 'CreateRepository'
        ? `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/ml/trainer`
        : 'ml/trainer';
    default:
      return `churn-${form.slice('sagemaker:'.length)}`;
  }
}

/** Sets a value at a Locator path, building objects and (for `[key=value]` steps) arrays on the way. */
function setAt(root: Record<string, unknown>, path: string, value: unknown): void {
  const segments = path.split('.');
  let node: Record<string, unknown> = root;
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    const filter = /^([^[]+)\[([^=\]]+)=([^\]]*)\]$/.exec(segment);
    if (filter) {
      const [, key, filterKey, filterValue] = filter as unknown as [string, string, string, string];
      const element: Record<string, unknown> = { [filterKey]: filterValue };
      node[key] = [...((node[key] as unknown[]) ?? []), element];
      node = element;
    } else if (last) node[segment] = value;
    else {
      node[segment] ??= {};
      node = node[segment] as Record<string, unknown>;
    }
  });
}

/** The locator a real event of this name fills: the first that names its request or response. */
function chosenLocator(mapping: EventMapping, locators: Locator[]): Locator | undefined {
  const creating = /^(Create|Register)/.test(mapping.eventName);
  const fromEvent = locators.filter((l) => l.path.startsWith('requestParameters') || l.path.startsWith('responseElements'));
  return (creating && fromEvent.find((l) => l.path.startsWith('responseElements'))) || fromEvent[0];
}

function fixture(mapping: EventMapping): unknown {
  const detail: Record<string, unknown> = { requestParameters: {}, responseElements: null };
  for (const locators of mapping.affects) {
    const locator = chosenLocator(mapping, locators);
    if (!locator) continue;
    if (locator.path.startsWith('responseElements') && detail.responseElements === null) detail.responseElements = {};
    setAt(detail, locator.path, sampleValue(locator.form, mapping.eventName));
  }
  if (mapping.onlyWhen) setAt(detail, mapping.onlyWhen.path, mapping.onlyWhen.equals);
  if (mapping.service) detail.additionalEventData = { service: mapping.service };
  if (mapping.eventName === 'PutMetricAlarm')
    Object.assign(detail.requestParameters as object, {
      namespace: 'AWS/SageMaker',
      alarmName: 'churn-endpoint-5xx',
      metricName: 'Invocation5XXErrors',
    });
  if (['DeleteAlarms', 'DisableAlarmActions', 'EnableAlarmActions'].includes(mapping.eventName))
    setAt(detail, 'requestParameters.alarmNames', ['churn-endpoint-5xx']);
  const hash = createHash('sha256')
    .update(mapping.eventSource + mapping.eventName)
    .digest('hex');
  const uuid = (offset: number) =>
    `${hash.slice(offset, offset + 8)}-${hash.slice(offset + 8, offset + 12)}-4${hash.slice(offset + 13, offset + 16)}-8${hash.slice(offset + 17, offset + 20)}-${hash.slice(offset + 20, offset + 32)}`;
  const eventTime = '2026-11-26T10:15:30Z';
  return {
    version: '0',
    id: uuid(0),
    'detail-type': 'AWS API Call via CloudTrail',
    source: eventBridgeSource(mapping.eventSource),
    account: ACCOUNT,
    time: eventTime,
    region: REGION,
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROAEXAMPLEROLEID:jane.doe',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/PlatformAdmin/jane.doe`,
        accountId: ACCOUNT,
        accessKeyId: 'ASIAEXAMPLEKEYID0000',
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: 'AROAEXAMPLEROLEID',
            arn: `arn:aws:iam::${ACCOUNT}:role/PlatformAdmin`,
            accountId: ACCOUNT,
            userName: 'PlatformAdmin',
          },
          attributes: { creationDate: '2026-11-26T09:58:02Z', mfaAuthenticated: 'true' },
        },
      },
      eventTime,
      eventSource: mapping.eventSource,
      eventName: mapping.eventName,
      awsRegion: REGION,
      sourceIPAddress: '203.0.113.24',
      userAgent: 'aws-cli/2.17.0 Python/3.12.4 Linux/6.8 exe/x86_64',
      ...detail,
      requestID: uuid(16),
      eventID: uuid(32),
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
    },
  };
}

mkdirSync(OUT_DIR, { recursive: true });
let written = 0;
for (const mapping of EVENT_MAP) {
  const path = join(OUT_DIR, `${mapping.eventName}.json`);
  if (existsSync(path)) continue;
  writeFileSync(path, `${JSON.stringify(fixture(mapping), null, 2)}\n`);
  written += 1;
}
console.log(`${written} fixture(s) written to ${OUT_DIR}; ${EVENT_MAP.length - written} kept`);
