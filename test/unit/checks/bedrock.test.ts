import { BEDROCK_CHECKS } from '../../../lambdas/checks/bedrock';
import type { Finding } from '../../../lambdas/checks/types';
import {
  normaliseCustomizationJob,
  normaliseCustomModel,
  normaliseGuardrail,
  normaliseLogging,
} from '../../../lambdas/collectors/bedrock';
import type { CollectionError } from '../../../lambdas/evidence/record';
import {
  BEDROCK_AGENT_TYPE,
  BEDROCK_CUSTOM_MODEL_TYPE,
  BEDROCK_CUSTOMIZATION_JOB_TYPE,
  BEDROCK_GUARDRAIL_TYPE,
  BEDROCK_LOGGING_TYPE,
  type BedrockAgent,
} from '../../../lambdas/evidence/resources/bedrock';
import { makeCheckContext, makeSnapshot, type ResourceFixture, TEST_ACCOUNT } from '../../helpers/snapshots';

const ROOT = `arn:aws:iam::${TEST_ACCOUNT}:root`;
const MODEL = `arn:aws:bedrock:us-east-1:${TEST_ACCOUNT}:custom-model/amazon.titan-text-express-v1:0:8k/abcd1234efgh`;
const JOB = `arn:aws:bedrock:us-east-1:${TEST_ACCOUNT}:model-customization-job/amazon.titan-text-express-v1:0:8k/ijkl5678`;
const GUARDRAIL = `arn:aws:bedrock:us-east-1:${TEST_ACCOUNT}:guardrail/gr1abc`;
const AGENT = `arn:aws:bedrock:us-east-1:${TEST_ACCOUNT}:agent/AGENT12345`;
const KEY = `arn:aws:kms:us-east-1:${TEST_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

// Shapes from the Bedrock API reference: GetModelInvocationLoggingConfiguration, GetCustomModel,
// GetModelCustomizationJob, GetGuardrail (https://docs.aws.amazon.com/bedrock/latest/APIReference/).
const logging = (on: boolean): ResourceFixture => ({
  arn: ROOT,
  type: BEDROCK_LOGGING_TYPE,
  configuration: normaliseLogging(
    on ? { s3Config: { bucketName: 'bedrock-invocations', keyPrefix: 'logs/' }, textDataDeliveryEnabled: true } : undefined,
  ),
});
const model = (kmsKey?: string): ResourceFixture => ({
  arn: MODEL,
  type: BEDROCK_CUSTOM_MODEL_TYPE,
  configuration: normaliseCustomModel({
    modelArn: MODEL,
    modelName: 'support-titan',
    creationTime: new Date('2026-11-20T10:00:00Z'),
    baseModelArn: 'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1:0:8k',
    modelKmsKeyArn: kmsKey,
    trainingDataConfig: { s3Uri: 's3://bedrock-training/support.jsonl' },
    outputDataConfig: { s3Uri: 's3://bedrock-output/' },
  }),
});
const job = (vpc: boolean): ResourceFixture => ({
  arn: JOB,
  type: BEDROCK_CUSTOMIZATION_JOB_TYPE,
  configuration: normaliseCustomizationJob({
    jobArn: JOB,
    jobName: 'support-tune-1',
    outputModelName: 'support-titan',
    roleArn: `arn:aws:iam::${TEST_ACCOUNT}:role/BedrockCustomization`,
    creationTime: new Date('2026-11-20T09:00:00Z'),
    baseModelArn: 'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1:0:8k',
    trainingDataConfig: { s3Uri: 's3://bedrock-training/support.jsonl' },
    validationDataConfig: { validators: [{ s3Uri: 's3://bedrock-training/validation.jsonl' }] },
    outputDataConfig: { s3Uri: 's3://bedrock-output/' },
    ...(vpc ? { vpcConfig: { subnetIds: ['subnet-0abc'], securityGroupIds: ['sg-0abc'] } } : {}),
  }),
});
const guardrail = (promptAttack: boolean, pii: boolean): ResourceFixture => ({
  arn: GUARDRAIL,
  type: BEDROCK_GUARDRAIL_TYPE,
  configuration: normaliseGuardrail({
    name: 'support-guardrail',
    guardrailId: 'gr1abc',
    guardrailArn: GUARDRAIL,
    version: 'DRAFT',
    status: 'READY',
    createdAt: new Date('2026-11-01T00:00:00Z'),
    updatedAt: new Date('2026-11-01T00:00:00Z'),
    blockedInputMessaging: 'Sorry.',
    blockedOutputsMessaging: 'Sorry.',
    contentPolicy: {
      filters: [
        { type: 'HATE', inputStrength: 'HIGH', outputStrength: 'HIGH' },
        ...(promptAttack
          ? [{ type: 'PROMPT_ATTACK' as const, inputStrength: 'HIGH' as const, outputStrength: 'NONE' as const }]
          : []),
      ],
    },
    ...(pii ? { sensitiveInformationPolicy: { piiEntities: [{ type: 'EMAIL' as const, action: 'ANONYMIZE' as const }] } } : {}),
  }),
});
const agent = (overrides: Partial<BedrockAgent>): ResourceFixture => ({
  arn: AGENT,
  type: BEDROCK_AGENT_TYPE,
  configuration: {
    name: 'support-agent',
    id: 'AGENT12345',
    status: 'PREPARED',
    foundationModel: 'anthropic.claude-3-haiku-20240307-v1:0',
    customerEncryptionKeyArn: KEY,
    roleArn: `arn:aws:iam::${TEST_ACCOUNT}:role/AmazonBedrockExecutionRoleForAgents_support`,
    guardrail: { identifier: 'gr1abc', version: '1' },
    references: { s3Uris: [], kmsKeys: [KEY], resources: [] },
    ...overrides,
  },
});

const run = (id: string, resources: ResourceFixture[], errors: CollectionError[] = []): Finding[] =>
  BEDROCK_CHECKS.find((c) => c.id === id)!.run(makeCheckContext([makeSnapshot({ collector: 'bedrock', resources, errors })]));
const only = (findings: Finding[]) => {
  expect(findings).toHaveLength(1);
  return findings[0]!;
};
const denied = (api: string, resource?: string): CollectionError => ({
  api,
  ...(resource ? { resource } : {}),
  code: 'AccessDeniedException',
  message: `User is not authorized to perform: ${api}`,
});

describe('bedrock.invocation_logging', () => {
  it('passes with S3 delivery and text data on, where a custom model exists', () => {
    expect(only(run('bedrock.invocation_logging', [logging(true), model(KEY)]))).toMatchObject({
      resource: ROOT,
      status: 'PASS',
      detail: expect.stringContaining('S3 bucket bedrock-invocations'),
    });
  });

  it('fails when logging is off and Bedrock is in use', () => {
    expect(only(run('bedrock.invocation_logging', [logging(false), job(true)]))).toMatchObject({ status: 'FAIL' });
  });

  it('is NOT_APPLICABLE where Bedrock is not in use', () => {
    expect(only(run('bedrock.invocation_logging', [logging(false)])).status).toBe('NOT_APPLICABLE');
  });

  it('is ERROR, never PASS, when the configuration call was denied', () => {
    const finding = only(
      run('bedrock.invocation_logging', [model(KEY)], [denied('bedrock:GetModelInvocationLoggingConfiguration')]),
    );
    expect(finding.status).toBe('ERROR');
    expect(finding.detail).toMatch(/GetModelInvocationLoggingConfiguration failed with AccessDeniedException/);
  });

  it('is ERROR when nothing was seen because a listing was denied', () => {
    const finding = only(run('bedrock.invocation_logging', [logging(true)], [denied('bedrock:ListCustomModels')]));
    expect(finding).toMatchObject({ status: 'ERROR', detail: expect.stringContaining('ListCustomModels') });
  });
});

describe('bedrock resource checks', () => {
  it.each([
    ['bedrock.custom_model_kms', model(KEY), model(undefined)],
    ['bedrock.customization_job_vpc', job(true), job(false)],
    ['bedrock.agent_kms', agent({}), agent({ customerEncryptionKeyArn: null })],
    ['bedrock.agent_guardrail', agent({}), agent({ guardrail: null })],
  ])('%s passes and fails on the deciding field', (id, good, bad) => {
    expect(only(run(id, [good])).status).toBe('PASS');
    expect(only(run(id, [bad]))).toMatchObject({ status: 'FAIL', resource: bad.arn });
  });

  it('reports a model kept by name after a denied GetCustomModel as ERROR citing the call', () => {
    const stub = { arn: MODEL, type: BEDROCK_CUSTOM_MODEL_TYPE, configuration: { name: 'support-titan' } };
    const finding = only(run('bedrock.custom_model_kms', [stub], [denied('bedrock:GetCustomModel', MODEL)]));
    expect(finding).toMatchObject({ status: 'ERROR', detail: expect.stringContaining('bedrock:GetCustomModel failed') });
  });

  it('reports a denied listing as ERROR on the account, not NOT_APPLICABLE', () => {
    expect(only(run('bedrock.agent_kms', [], [denied('bedrock:ListAgents')]))).toMatchObject({ status: 'ERROR', resource: ROOT });
  });

  it('is not blinded by another kind’s failed listing', () => {
    expect(only(run('bedrock.agent_kms', [], [denied('bedrock:ListGuardrails')])).status).toBe('NOT_APPLICABLE');
  });
});

describe('bedrock.guardrails_configured', () => {
  it('passes with a guardrail filtering prompt attacks and PII', () => {
    expect(only(run('bedrock.guardrails_configured', [guardrail(true, true)])).status).toBe('PASS');
  });

  it('fails naming what each guardrail lacks', () => {
    expect(only(run('bedrock.guardrails_configured', [guardrail(false, true), model(KEY)]))).toMatchObject({
      status: 'FAIL',
      detail: 'support-guardrail: no prompt-attack filter',
    });
    expect(only(run('bedrock.guardrails_configured', [model(KEY)])).detail).toBe('no guardrail in the region');
  });

  it('is ERROR when ListGuardrails was denied where Bedrock is in use', () => {
    expect(only(run('bedrock.guardrails_configured', [agent({})], [denied('bedrock:ListGuardrails')])).status).toBe('ERROR');
  });
});

describe('region-wide Bedrock checks when the collector failed as a whole', () => {
  it.each(['bedrock.invocation_logging', 'bedrock.guardrails_configured'])(
    '%s is ERROR, not NOT_APPLICABLE: an empty record from a crashed run proves nothing',
    (id) => {
      const crashed: CollectionError = { api: 'bedrock:collect', code: 'TypeError', message: 'collector failed: boom' };
      expect(only(run(id, [], [crashed]))).toMatchObject({ status: 'ERROR', detail: expect.stringContaining('bedrock:collect') });
    },
  );
});
