import { ECR_IMAGE_TYPE, ECR_REPOSITORY_TYPE, ecrImageSchema, ecrRepositorySchema } from '../../evidence/resources/ecr';
import { at, type ServiceDescriptor, serviceEvents } from '../types';

const REPOSITORIES = 'arn:{partition}:ecr:{region}:{account}:repository/*';
/** "Logging Amazon ECR actions with AWS CloudTrail", https://docs.aws.amazon.com/AmazonECR/latest/userguide/logging-using-cloudtrail.html */
const ECR = 'ecr.amazonaws.com';

/**
 * Amazon ECR: every repository of the region with its scanning, tag mutability, encryption and
 * tags, and the registry's scanning rules; and the scan results of the images that the latest
 * SageMaker evidence says ML resources run (the collect flow passes them in). Which repositories
 * hold ML images is decided by the checks from the image URIs SageMaker and Bedrock evidence records.
 */
export const ecrService = {
  name: 'ecr',
  global: false,
  resourceKinds: [
    {
      type: ECR_REPOSITORY_TYPE,
      arnForm: 'arn:{partition}:ecr:{region}:{account}:repository/{id}',
      schema: ecrRepositorySchema,
      describeApi: 'DescribeRepositories',
    },
    {
      type: ECR_IMAGE_TYPE,
      // Images have no ARN: evidence keys them by the image URI SageMaker records.
      arnForm: '{account}.dkr.ecr.{region}.amazonaws.com/{id}',
      schema: ecrImageSchema,
      describeApi: 'DescribeImages',
    },
  ],
  readGrants: [
    { actions: ['ecr:GetRegistryScanningConfiguration'], resources: '*' },
    { actions: ['ecr:DescribeRepositories', 'ecr:ListTagsForResource', 'ecr:DescribeImages'], resources: [REPOSITORIES] },
  ],
  // DescribeRepositories takes maxResults 1-1000.
  pageSizes: { repositories: 1000 },
  resourceForms: {
    ecrRepository: (name, { partition, account, region }) =>
      name.startsWith('arn:') ? name : `arn:${partition}:ecr:${region}:${account}:repository/${name}`,
  },
  events: [
    ...serviceEvents(
      ECR,
      ['CreateRepository', 'DeleteRepository', 'PutImageScanningConfiguration', 'PutImageTagMutability'],
      [
        [
          at('responseElements.repository.repositoryArn', 'ecrRepository'),
          at('requestParameters.repositoryName', 'ecrRepository'),
        ],
      ],
    ),
    // Tags decide which repositories are in ML scope.
    ...serviceEvents(ECR, ['TagResource', 'UntagResource'], [[at('requestParameters.resourceArn', 'ecrRepository')]]),
    // Registry rules apply to every repository their filters match: the region is re-collected.
    ...serviceEvents(ECR, ['PutRegistryScanningConfiguration'], [], { otherwise: 'collect-all' }),
  ],
} satisfies ServiceDescriptor;
