import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { writeChangeLog } from '../../../lambdas/events/change-log';
import { type CloudTrailEvent, parseCloudTrailEvent } from '../../../lambdas/events/cloudtrail-event';
import { LocalDirectoryStore } from '../../../lambdas/evidence/local-store';

const DATABASE_PASSWORD = 'Tr41n1ngDbPassw0rd';
const HYPERPARAMETER_PASSWORD = 'hunter2-hyperparameter';
const MODEL_PASSWORD = 'M0delC0ntainerSecret';
const ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET_ACCESS_KEY = 'wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY';
const base64 = (text: string) => Buffer.from(text).toString('base64');
const CREATE_SCRIPT = base64(
  `#!/bin/bash\nexport AWS_ACCESS_KEY_ID=${ACCESS_KEY_ID}\naws_secret_access_key=${SECRET_ACCESS_KEY}\n`,
);
const START_SCRIPT = base64('#!/bin/bash\npip install -r requirements.txt\n');

function fixture(name: string, requestParameters: Record<string, unknown>): CloudTrailEvent {
  const parsed = parseCloudTrailEvent(readFileSync(join(__dirname, `../../fixtures/events/${name}.json`), 'utf8'));
  if (!parsed.ok) throw new Error(parsed.problem);
  return { ...parsed.event, detail: { ...parsed.event.detail, requestParameters } };
}

const EVENTS: Record<string, CloudTrailEvent> = {
  training: fixture('CreateTrainingJob', {
    trainingJobName: 'churn-training-job',
    environment: { DATABASE_URL: `postgres://ml:${DATABASE_PASSWORD}@db.internal:5432/features`, LOG_LEVEL: 'debug' },
    hyperParameters: { db_pass: HYPERPARAMETER_PASSWORD, epochs: '10' },
  }),
  model: fixture('CreateModel', {
    modelName: 'churn-model',
    primaryContainer: { image: 'churn:1', environment: { UPSTREAM: `https://svc:${MODEL_PASSWORD}@api.internal` } },
    containers: [{ image: 'churn:1', Environment: { SIDE_CAR_PASS: MODEL_PASSWORD } }],
  }),
  lifecycle: fixture('CreateNotebookInstanceLifecycleConfig', {
    notebookInstanceLifecycleConfigName: 'churn-notebook-instance-lifecycle-config',
    onCreate: [{ content: CREATE_SCRIPT }],
    onStart: [{ content: START_SCRIPT }],
  }),
};
const SECRETS = [
  DATABASE_PASSWORD,
  HYPERPARAMETER_PASSWORD,
  MODEL_PASSWORD,
  ACCESS_KEY_ID,
  SECRET_ACCESS_KEY,
  CREATE_SCRIPT,
  START_SCRIPT,
];

describe('change-log redaction', () => {
  let dir: string;
  let store: LocalDirectoryStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'change-log-'));
    store = await LocalDirectoryStore.open(join(dir, 'store'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function storedEvent(event: CloudTrailEvent) {
    const write = await writeChangeLog(store, event, {
      recordedAt: '2026-11-26T10:16:00Z',
      handling: 'recollected',
      evidence: [],
    });
    if (write.status !== 'stored') throw new Error(`not stored: ${write.key}`);
    const text = gunzipSync((await store.get(write.stored.key))!).toString('utf8');
    return { text, requestParameters: JSON.parse(text).event.detail.requestParameters };
  }

  it.each(Object.keys(EVENTS))('stores no planted secret of the %s event', async (name) => {
    // Act
    const { text } = await storedEvent(EVENTS[name]!);
    // Assess
    expect(SECRETS.filter((secret) => text.includes(secret))).toEqual([]);
  });

  it('keeps the names of environment variables and hyperparameters, at any depth', async () => {
    // Act
    const training = (await storedEvent(EVENTS.training!)).requestParameters;
    const model = (await storedEvent(EVENTS.model!)).requestParameters;
    // Assess
    expect(training.environment).toEqual({ DATABASE_URL: '[REDACTED]', LOG_LEVEL: '[REDACTED]' });
    expect(training.hyperParameters).toEqual({ db_pass: '[REDACTED]', epochs: '[REDACTED]' });
    expect(training.trainingJobName).toBe('churn-training-job');
    expect(model.primaryContainer).toEqual({ image: 'churn:1', environment: { UPSTREAM: '[REDACTED]' } });
    expect(model.containers).toEqual([{ image: 'churn:1', Environment: { SIDE_CAR_PASS: '[REDACTED]' } }]);
  });

  it('replaces lifecycle scripts with the names of the credential patterns found in them', async () => {
    // Act
    const { requestParameters } = await storedEvent(EVENTS.lifecycle!);
    // Assess
    expect(requestParameters.onCreate).toEqual([
      { content: '[REDACTED script: credential patterns: aws-access-key-id, aws-secret-access-key]' },
    ]);
    expect(requestParameters.onStart).toEqual([{ content: '[REDACTED script: no credential patterns]' }]);
  });
});
