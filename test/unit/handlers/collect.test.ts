import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { AwsClientFactory } from '../../../lambdas/aws/clients';
import { COLLECTORS } from '../../../lambdas/collectors/registry';
import type { Collector, CollectorContext } from '../../../lambdas/collectors/types';
import { parseConfig } from '../../../lambdas/config/schema';
import { decodeEvidence } from '../../../lambdas/evidence/evidence-io';
import type { EvidenceStore, PutOptions, StoredObject } from '../../../lambdas/evidence/store';
import {
  CollectionRunFailedError,
  collectOnSchedule,
  handler,
  SAFETY_MARGIN_MS,
  UnknownCollectorError,
  UnsupportedEventError,
} from '../../../lambdas/handlers/collect';

// The SSM client is not a dependency (the Lambda runtime provides it): Parameters is replaced whole.
jest.mock('@aws-lambda-powertools/parameters/ssm', () => ({ getParameter: jest.fn() }));
// getParameter's overloads type the value by its transform; the mock answers the parsed JSON.
const getParameterMock = getParameter as unknown as jest.Mock<Promise<unknown>>;

const s3 = mockClient(S3Client);
const s3Control = mockClient(S3ControlClient);

const ACCOUNT = '111122223333';
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:soc2-ml-collector`;
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const SCHEDULED_EVENT = {
  version: '0',
  id: 'c3a1e7a2-0000-4000-8000-000000000001',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: ACCOUNT,
  time: '2026-11-26T06:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: {},
};

function lambdaContext(remainingMs = 600_000) {
  return { invokedFunctionArn: FUNCTION_ARN, getRemainingTimeInMillis: () => remainingMs };
}

/** An in-memory store that can be told to refuse writes for some regions. */
class MemoryStore implements EvidenceStore {
  readonly location = 'memory://test';
  readonly objects = new Map<string, Uint8Array>();
  constructor(private readonly refuse: (key: string) => boolean = () => false) {}
  async put(key: string, body: Uint8Array, _options?: PutOptions): Promise<StoredObject> {
    if (this.refuse(key)) throw new Error('SlowDown: please reduce your request rate');
    this.objects.set(key, body);
    return { key, sha256: 'f'.repeat(64), size: body.byteLength };
  }
  async get(key: string): Promise<Uint8Array | undefined> {
    return this.objects.get(key);
  }
  async *list(): AsyncIterable<never> {}
}

/** A regional collector that remembers the contexts it ran with. */
function recordingCollector(): Collector & { contexts: CollectorContext[] } {
  const contexts: CollectorContext[] = [];
  return {
    name: 'kms',
    version: '0.0.1-test',
    global: false,
    contexts,
    async collect(context) {
      contexts.push(context);
      return { resources: [], errors: [], notes: [], deleted: [] };
    },
  };
}

const registry = COLLECTORS as Record<string, Collector | undefined>;
const registered = { ...registry };

/** Puts a test collector in the registry as "kms" (the handler looks collectors up by name). */
function useCollector<T extends Collector>(collector: T): T {
  registry.kms = collector;
  return collector;
}

function restoreCollectors(): void {
  for (const name of Object.keys(registry)) delete registry[name];
  Object.assign(registry, registered);
}

const clients = () =>
  new AwsClientFactory({ region: 'us-east-1', credentials: async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }) });

describe('collect handler', () => {
  const env = process.env;

  beforeEach(() => {
    s3.reset();
    s3Control.reset();
    getParameterMock.mockReset();
    process.env = {
      ...env,
      AWS_REGION: 'us-east-1',
      COLLECTOR: 's3',
      EVIDENCE_BUCKET: 'soc2-evidence-bucket',
      EVIDENCE_KMS_KEY_ARN: KEY_ARN,
      CONFIG_PARAMETER: '/soc2-ml/config',
    };
  });

  afterAll(() => {
    process.env = env;
  });

  it('stores one locked, KMS-encrypted global snapshot for the s3 collector and returns its summary', async () => {
    // Prepare
    getParameterMock.mockResolvedValue({ evidence: { retentionDays: 400 } });
    s3.on(ListBucketsCommand).resolves({ Buckets: [] });
    s3Control.on(GetPublicAccessBlockCommand).resolves({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    });
    s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });

    // Act
    const result = await handler(SCHEDULED_EVENT, lambdaContext());

    // Assess
    expect(getParameterMock).toHaveBeenCalledWith('/soc2-ml/config', expect.objectContaining({ transform: 'json' }));
    expect(result.failures).toEqual([]);
    // aws-sdk-client-mock replaces send(), so the call-counting middleware never runs here.
    expect(result.runs).toEqual([expect.objectContaining({ region: 'global', resources: 1, errors: 0, calls: 0 })]);
    expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 1);
    const put = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put).toMatchObject({
      Bucket: 'soc2-evidence-bucket',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: KEY_ARN,
      ObjectLockMode: 'COMPLIANCE',
      IfNoneMatch: '*',
    });
    expect(put.Key).toMatch(new RegExp(`^evidence/v1/collector=s3/account=${ACCOUNT}/region=global/`));
    expect(result.runs[0]!.key).toBe(put.Key);
    const record = decodeEvidence(put.Body as Uint8Array);
    expect(record).toMatchObject({ account: ACCOUNT, trigger: { type: 'schedule' }, scope: { type: 'all' } });
  });

  it('refuses an event that is not an EventBridge scheduled event, before reading anything', async () => {
    // Act
    const run = handler({ Records: [] }, lambdaContext());
    // Assess
    await expect(run).rejects.toThrow(UnsupportedEventError);
    expect(getParameterMock).not.toHaveBeenCalled();
  });

  it('names the collector when COLLECTOR has no implementation', async () => {
    // Prepare
    process.env.COLLECTOR = 'route53';
    // Act
    const run = handler(SCHEDULED_EVENT, lambdaContext());
    // Assess
    await expect(run).rejects.toThrow(UnknownCollectorError);
    await expect(run).rejects.toThrow(/COLLECTOR="route53" has no implementation; known: s3/);
  });

  it('refuses a configuration parameter that does not match the schema, naming the key', async () => {
    // Prepare
    getParameterMock.mockResolvedValue({ evidence: { lockMode: 'NONE' } });
    // Act
    const run = handler(SCHEDULED_EVENT, lambdaContext());
    // Assess
    await expect(run).rejects.toThrow(/SSM parameter \/soc2-ml\/config: key "evidence.lockMode"/);
  });

  it('runs a regional collector in every configured region with a deadline one minute before the timeout', async () => {
    // Prepare
    const collector = useCollector(recordingCollector());
    process.env.COLLECTOR = 'kms';
    getParameterMock.mockResolvedValue({ regions: ['us-east-1', 'eu-west-1'] });
    s3.on(PutObjectCommand).resolves({});
    const before = Date.now();
    try {
      // Act
      const result = await handler(SCHEDULED_EVENT, lambdaContext(300_000));
      // Assess
      const after = Date.now();
      expect(result.runs.map((run) => run.region)).toEqual(['us-east-1', 'eu-west-1']);
      expect(collector.contexts.map((c) => c.account)).toEqual([ACCOUNT, ACCOUNT]);
      for (const context of collector.contexts) {
        expect(context.deadline).toBeGreaterThanOrEqual(before + 300_000 - SAFETY_MARGIN_MS);
        expect(context.deadline).toBeLessThanOrEqual(after + 300_000 - SAFETY_MARGIN_MS);
      }
      expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 2);
    } finally {
      restoreCollectors();
    }
  });

  it('fails the invocation, after storing the other regions, when a region cannot be stored', async () => {
    // Prepare
    useCollector(recordingCollector());
    process.env.COLLECTOR = 'kms';
    getParameterMock.mockResolvedValue({ regions: ['us-east-1', 'eu-west-1'] });
    s3.on(PutObjectCommand).rejectsOnce(new Error('AccessDenied: explicit deny')).resolves({});
    try {
      // Act
      const run = handler(SCHEDULED_EVENT, lambdaContext());
      // Assess
      await expect(run).rejects.toThrow(CollectionRunFailedError);
      await expect(run).rejects.toThrow(/us-east-1 \(AccessDenied: explicit deny\)/);
      expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 2);
    } finally {
      restoreCollectors();
    }
  });
});

describe('collectOnSchedule', () => {
  it('keeps collecting the other regions when one cannot be stored, and reports it', async () => {
    // Prepare
    const collector = recordingCollector();
    const store = new MemoryStore((key) => key.includes('region=eu-west-1'));
    const config = parseConfig({ regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'] });
    // Act
    const result = await collectOnSchedule({
      collector,
      config,
      account: ACCOUNT,
      homeRegion: 'us-east-1',
      clients: clients(),
      store,
      deadline: Date.parse('2026-11-26T06:09:00Z'),
      clock: () => new Date('2026-11-26T06:00:00Z'),
    });
    // Assess
    expect(result.runs.map((run) => run.region)).toEqual(['us-east-1', 'ap-southeast-2']);
    expect(result.failures).toEqual([{ region: 'eu-west-1', message: 'SlowDown: please reduce your request rate' }]);
    expect(store.objects.size).toBe(2);
    expect(new CollectionRunFailedError(result.failures).message).toContain('eu-west-1 (SlowDown');
  });

  it('gives each region its own call counter and the configured collection settings', async () => {
    // Prepare
    const collector = recordingCollector();
    const config = parseConfig({ regions: ['us-east-1', 'eu-west-1'], collection: { concurrency: 3 } });
    // Act
    await collectOnSchedule({
      collector,
      config,
      account: ACCOUNT,
      homeRegion: 'us-east-1',
      clients: clients(),
      store: new MemoryStore(),
      deadline: Number.MAX_SAFE_INTEGER,
    });
    // Assess
    const [first, second] = collector.contexts;
    expect(first!.clients).not.toBe(second!.clients);
    expect(first!.settings.concurrency).toBe(3);
    expect(collector.contexts.map((c) => c.scope)).toEqual([{ type: 'all' }, { type: 'all' }]);
  });
});
