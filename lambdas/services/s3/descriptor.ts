import {
  accountPublicAccessBlockArn,
  bucketArn,
  S3_ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPE,
  S3_BUCKET_TYPE,
  s3AccountPublicAccessBlockSchema,
  s3BucketConfigurationSchema,
} from '../../evidence/resources/s3';
import { at, type ServiceDescriptor, serviceEvents } from '../types';

const S3 = 's3.amazonaws.com';
const bucket = [[at('requestParameters.bucketName', 's3Bucket')]];
const accountBlock = [
  [at('requestParameters.accountId', 's3AccountPublicAccessBlock'), at('recipientAccountId', 's3AccountPublicAccessBlock')],
];

/** S3: every bucket the account owns, and the account's public access block. */
export const s3Service = {
  name: 's3',
  global: true,
  resourceKinds: [
    {
      type: S3_BUCKET_TYPE,
      arnForm: 'arn:{partition}:s3:::{id}',
      schema: s3BucketConfigurationSchema,
      describeApi: 'GetBucketLocation, then each GetBucket* setting',
    },
    {
      type: S3_ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPE,
      arnForm: accountPublicAccessBlockArn('{account}'),
      schema: s3AccountPublicAccessBlockSchema,
      describeApi: 'GetPublicAccessBlock',
    },
  ],
  readGrants: [
    { actions: ['s3:ListAllMyBuckets', 's3:GetAccountPublicAccessBlock'], resources: '*' },
    {
      actions: [
        's3:GetBucketLocation',
        's3:GetEncryptionConfiguration',
        's3:GetBucketPolicy',
        's3:GetBucketVersioning',
        's3:GetBucketPublicAccessBlock',
        's3:GetBucketLogging',
        's3:GetLifecycleConfiguration',
        's3:GetReplicationConfiguration',
        's3:GetBucketObjectLockConfiguration',
        's3:GetBucketTagging',
      ],
      // Bucket ARNs carry no account or region: every bucket the account can see.
      resources: ['arn:{partition}:s3:::*'],
    },
  ],
  pageSizes: { buckets: 1000 },
  resourceForms: {
    s3Bucket: (name, { partition }) => (name.startsWith('arn:') ? name : bucketArn(name, partition)),
    s3AccountPublicAccessBlock: (account) => (/^\d{12}$/.test(account) ? accountPublicAccessBlockArn(account) : undefined),
  },
  // Bucket lifecycle and every setting the s3.* checks read.
  events: [
    ...serviceEvents(
      S3,
      [
        'CreateBucket',
        'DeleteBucket',
        'PutBucketEncryption',
        'DeleteBucketEncryption',
        'PutBucketPolicy',
        'DeleteBucketPolicy',
        'PutBucketVersioning',
        'PutBucketPublicAccessBlock',
        'DeleteBucketPublicAccessBlock',
        'PutBucketLogging',
        'PutBucketLifecycle',
        'PutBucketLifecycleConfiguration',
        'DeleteBucketLifecycle',
        'PutBucketReplication',
        'DeleteBucketReplication',
        'PutObjectLockConfiguration',
        'PutBucketObjectLockConfiguration',
        'PutBucketTagging',
        'DeleteBucketTagging',
      ],
      bucket,
    ),
    // The same names serve a bucket's block (bucketName given) and, through S3 Control, the account's.
    ...serviceEvents(S3, ['PutPublicAccessBlock', 'DeletePublicAccessBlock'], [[...bucket[0]!, ...accountBlock[0]!]]),
    ...serviceEvents(S3, ['PutAccountPublicAccessBlock', 'DeleteAccountPublicAccessBlock'], accountBlock),
  ],
} satisfies ServiceDescriptor;
