import { buildMlInventory } from '../../../lambdas/checks/ml-inventory';
import { normaliseCustomizationJob, normaliseLogging } from '../../../lambdas/collectors/bedrock';
import { BEDROCK_CUSTOMIZATION_JOB_TYPE, BEDROCK_LOGGING_TYPE } from '../../../lambdas/evidence/resources/bedrock';
import { SM_TRAINING_JOB_TYPE } from '../../../lambdas/evidence/resources/sagemaker';
import { makeSnapshot, TEST_ACCOUNT } from '../../helpers/snapshots';

const JOB = `arn:aws:bedrock:us-east-1:${TEST_ACCOUNT}:model-customization-job/amazon.titan-text-express-v1:0:8k/j1`;
const TRAINING = `arn:aws:sagemaker:us-east-1:${TEST_ACCOUNT}:training-job/churn-train`;
const IMAGE = `${TEST_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/ml/trainer:1`;

describe('ML inventory with Bedrock and container images', () => {
  it('shows a Bedrock fine-tuning job as training fed by its buckets, and the image a SageMaker job runs', () => {
    const inventory = buildMlInventory([
      makeSnapshot({
        collector: 'bedrock',
        resources: [
          {
            arn: `arn:aws:iam::${TEST_ACCOUNT}:root`,
            type: BEDROCK_LOGGING_TYPE,
            configuration: normaliseLogging({ s3Config: { bucketName: 'bedrock-logs' }, textDataDeliveryEnabled: true }),
          },
          {
            arn: JOB,
            type: BEDROCK_CUSTOMIZATION_JOB_TYPE,
            configuration: normaliseCustomizationJob({
              jobArn: JOB,
              jobName: 'j1',
              outputModelName: 'm1',
              roleArn: undefined,
              creationTime: new Date('2026-11-20T00:00:00Z'),
              baseModelArn: undefined,
              trainingDataConfig: { s3Uri: 's3://bedrock-training/data.jsonl' },
              validationDataConfig: undefined,
              outputDataConfig: { s3Uri: 's3://bedrock-output/' },
            }),
          },
        ],
      }),
      makeSnapshot({
        collector: 'sagemaker',
        resources: [
          {
            arn: TRAINING,
            type: SM_TRAINING_JOB_TYPE,
            configuration: { references: { s3Uris: [], kmsKeys: [], resources: [], images: [IMAGE] } },
          },
        ],
      }),
    ]);
    expect(inventory.nodes.find((n) => n.id === JOB)?.kind).toBe('training job');
    expect(inventory.nodes.find((n) => n.id === IMAGE)).toMatchObject({ kind: 'image', label: 'trainer:1' });
    expect(inventory.edges).toEqual(
      expect.arrayContaining([
        { from: 'arn:aws:s3:::bedrock-training', to: JOB },
        { from: IMAGE, to: TRAINING },
      ]),
    );
    // The logging setting is the account's: no node for it.
    expect(inventory.nodes.some((n) => n.id.endsWith(':root'))).toBe(false);
  });
});
