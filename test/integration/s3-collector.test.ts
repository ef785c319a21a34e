import {
  CreateBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { collectS3 } from '../../lambdas/collectors/s3';
import type { S3BucketConfiguration } from '../../lambdas/evidence/resources/s3';
import { emulatorCollectorContext } from '../helpers/collector-context';
import { emulatorClients, useMoto } from '../helpers/moto';

const moto = useMoto();

describe('S3 collector against the emulator', () => {
  it('describes every seeded bucket with its normalised configuration', async () => {
    // Prepare
    const clients = emulatorClients(moto().url);
    const s3 = clients.s3();
    await s3.send(new CreateBucketCommand({ Bucket: 'training-data' }));
    await s3.send(
      new CreateBucketCommand({ Bucket: 'model-artifacts', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }),
    );
    await s3.send(new CreateBucketCommand({ Bucket: 'scratch' }));
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: 'training-data',
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/ml' } }],
        },
      }),
    );
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'training-data', VersioningConfiguration: { Status: 'Enabled' } }));
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: 'training-data',
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: ['arn:aws:s3:::training-data', 'arn:aws:s3:::training-data/*'],
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        }),
      }),
    );
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: 'training-data',
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      }),
    );
    await s3.send(
      new PutBucketTaggingCommand({
        Bucket: 'training-data',
        Tagging: { TagSet: [{ Key: 'DataClassification', Value: 'confidential' }] },
      }),
    );
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: 'training-data',
        LifecycleConfiguration: {
          Rules: [{ ID: 'expire', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 365 } }],
        },
      }),
    );

    // Act
    const output = await collectS3(emulatorCollectorContext(clients));

    // Assess
    const byName = new Map(
      output.resources
        .filter((r) => r.type === 'AWS::S3::Bucket')
        .map((r) => [(r.configuration as S3BucketConfiguration).name, r]),
    );
    expect([...byName.keys()].sort()).toEqual(['model-artifacts', 'scratch', 'training-data']);
    const training = byName.get('training-data');
    expect(training?.configuration).toMatchObject({
      encryption: { rules: [{ algorithm: 'aws:kms', kmsKeyId: 'alias/ml' }] },
      versioning: { status: 'Enabled' },
      publicAccessBlock: { blockPublicAcls: true, restrictPublicBuckets: true },
      lifecycle: { rules: [{ id: 'expire', enabled: true, expiration: true }] },
      replication: null,
    });
    expect(training?.tags).toEqual({ DataClassification: 'confidential' });
    expect((training!.configuration as S3BucketConfiguration).policy?.document).toMatchObject({
      Statement: [{ Effect: 'Deny' }],
    });
    expect(byName.get('model-artifacts')?.region).toBe('eu-west-1');
    const scratch = byName.get('scratch')?.configuration as S3BucketConfiguration;
    expect(scratch.policy).toBeNull();
    expect(scratch.versioning).toEqual({ status: 'Disabled', mfaDelete: false });
    const account = output.resources.find((r) => r.type === 'AWS::S3::AccountPublicAccessBlock');
    expect(account?.configuration).toEqual({ publicAccessBlock: null });
    expect(output.errors).toEqual([]);
  });
});
