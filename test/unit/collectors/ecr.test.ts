import {
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetRegistryScanningConfigurationCommand,
  ImageNotFoundException,
  ListTagsForResourceCommand,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { collectEcr } from '../../../lambdas/collectors/ecr';
import { ECR_IMAGE_TYPE, ECR_REPOSITORY_TYPE } from '../../../lambdas/evidence/resources/ecr';
import { mockedCollectorContext } from '../../helpers/collector-context';

// Shapes from the Amazon ECR API reference: DescribeRepositories, GetRegistryScanningConfiguration, ListTagsForResource.
const ecr = mockClient(ECRClient);
const A = '123456789012';
const arn = (name: string) => `arn:aws:ecr:us-east-1:${A}:repository/${name}`;
const repository = (name: string) => ({
  repositoryArn: arn(name),
  registryId: A,
  repositoryName: name,
  repositoryUri: `${A}.dkr.ecr.us-east-1.amazonaws.com/${name}`,
  createdAt: new Date('2026-01-01T00:00:00Z'),
  imageTagMutability: 'MUTABLE' as const,
  imageScanningConfiguration: { scanOnPush: false },
  encryptionConfiguration: { encryptionType: 'AES256' as const },
});

beforeEach(() => {
  ecr.reset();
  ecr.on(GetRegistryScanningConfigurationCommand).resolves({
    registryId: A,
    scanningConfiguration: {
      scanType: 'BASIC',
      rules: [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: 'ml-*', filterType: 'WILDCARD' }] }],
    },
  });
  ecr.on(ListTagsForResourceCommand).resolves({ tags: [{ Key: 'team', Value: 'ml' }] });
});

describe('ECR collector', () => {
  it('pages repositories with full pages and applies the registry rule that matches each', async () => {
    ecr
      .on(DescribeRepositoriesCommand)
      .resolvesOnce({ repositories: [repository('ml-trainer')], nextToken: 'p2' })
      .resolvesOnce({ repositories: [repository('web')] });
    const output = await collectEcr(mockedCollectorContext());
    expect(ecr).toHaveReceivedCommandWith(DescribeRepositoriesCommand, { maxResults: 1000 });
    expect(output.errors).toEqual([]);
    expect(output.resources.map((r) => [r.arn, r.configuration.registryScan])).toEqual([
      [arn('ml-trainer'), { scanType: 'BASIC', ruleFrequency: 'SCAN_ON_PUSH' }],
      [arn('web'), { scanType: 'BASIC', ruleFrequency: null }],
    ]);
    expect(output.resources[0]).toMatchObject({ type: ECR_REPOSITORY_TYPE, tags: { team: 'ml' } });
  });

  it('is empty without errors for a region without repositories', async () => {
    ecr.on(DescribeRepositoriesCommand).resolves({ repositories: [] });
    expect(await collectEcr(mockedCollectorContext())).toEqual({ resources: [], errors: [], notes: [], deleted: [] });
  });

  it('records a denied registry configuration and leaves registryScan absent (never assumed)', async () => {
    ecr
      .on(GetRegistryScanningConfigurationCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    ecr.on(DescribeRepositoriesCommand).resolves({ repositories: [repository('ml-trainer')] });
    const output = await collectEcr(mockedCollectorContext());
    expect(output.errors).toEqual([
      expect.objectContaining({ api: 'ecr:GetRegistryScanningConfiguration', code: 'AccessDeniedException' }),
    ]);
    expect(output.resources[0]?.configuration).not.toHaveProperty('registryScan');
  });

  it('re-collects one repository; a deleted one is recorded as gone, a throttled one kept by name', async () => {
    ecr
      .on(DescribeRepositoriesCommand, { repositoryNames: ['ml-trainer'] })
      .resolves({ repositories: [repository('ml-trainer')] });
    const one = await collectEcr(mockedCollectorContext({ scope: { type: 'resource', resource: arn('ml-trainer') } }));
    expect(one.resources.map((r) => r.arn)).toEqual([arn('ml-trainer')]);

    ecr
      .on(DescribeRepositoriesCommand, { repositoryNames: ['gone'] })
      .rejects(new RepositoryNotFoundException({ message: 'gone', $metadata: {} }));
    const gone = await collectEcr(mockedCollectorContext({ scope: { type: 'resource', resource: arn('gone') } }));
    expect(gone.deleted).toEqual([arn('gone')]);

    ecr
      .on(DescribeRepositoriesCommand, { repositoryNames: ['busy'] })
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const busy = await collectEcr(mockedCollectorContext({ scope: { type: 'resource', resource: arn('busy') } }));
    expect(busy.resources).toEqual([expect.objectContaining({ arn: arn('busy'), configuration: { name: 'busy' } })]);
    expect(busy.errors).toEqual([expect.objectContaining({ api: 'ecr:DescribeRepositories', code: 'ThrottlingException' })]);
  });
});

// DescribeImages request and ImageDetail shapes from the ECR API reference
// (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImages.html, API_ImageDetail.html,
// API_ImageScanStatus.html, API_ImageScanFindingsSummary.html): at most 100 imageIds per call.
describe('ECR collector, images in use', () => {
  const uri = (repository: string, tag: string) => `${A}.dkr.ecr.us-east-1.amazonaws.com/${repository}:${tag}`;
  const detail = (repository: string, tag: string, critical: number) => ({
    registryId: A,
    repositoryName: repository,
    imageDigest: `sha256:${tag.padStart(64, '0')}`,
    imageTags: [tag],
    imageScanStatus: { status: 'COMPLETE' as const, description: 'The scan was completed successfully.' },
    imageScanFindingsSummary: {
      imageScanCompletedAt: new Date('2026-11-25T08:00:00Z'),
      vulnerabilitySourceUpdatedAt: new Date('2026-11-25T00:00:00Z'),
      findingSeverityCounts: { CRITICAL: critical, HIGH: 2 },
    },
  });

  beforeEach(() => {
    ecr.on(DescribeRepositoriesCommand).resolves({ repositories: [repository('ml-trainer')] });
  });

  it('describes only the images in use of its own account and region, at most 100 per call per repository', async () => {
    const tags = Array.from({ length: 150 }, (_, i) => `v${i}`);
    ecr.on(DescribeImagesCommand).callsFake((input: { repositoryName: string; imageIds: { imageTag: string }[] }) => ({
      imageDetails: input.imageIds.map((id) => detail(input.repositoryName, id.imageTag, id.imageTag === 'v3' ? 4 : 0)),
    }));
    const images = [
      ...tags.map((tag) => uri('ml-trainer', tag)),
      uri('ml-serving', 'prod'),
      `999999999999.dkr.ecr.us-east-1.amazonaws.com/other:1`,
      `${A}.dkr.ecr.eu-west-1.amazonaws.com/elsewhere:1`,
    ];
    const output = await collectEcr(mockedCollectorContext({ images }));
    const calls = ecr
      .commandCalls(DescribeImagesCommand)
      .map((c) => [c.args[0].input.repositoryName, c.args[0].input.imageIds?.length]);
    expect(calls).toEqual([
      ['ml-trainer', 100],
      ['ml-trainer', 50],
      ['ml-serving', 1],
    ]);
    expect(output.errors).toEqual([]);
    const described = output.resources.filter((r) => r.type === ECR_IMAGE_TYPE);
    expect(described).toHaveLength(151);
    expect(described.find((r) => r.arn === uri('ml-trainer', 'v3'))?.configuration).toEqual({
      repository: 'ml-trainer',
      tag: 'v3',
      digest: `sha256:${'v3'.padStart(64, '0')}`,
      scanStatus: 'COMPLETE',
      scanStatusDescription: 'The scan was completed successfully.',
      severityCounts: { CRITICAL: 4, HIGH: 2 },
      scanCompletedAt: '2026-11-25T08:00:00.000Z',
    });
  });

  it('makes no image-level call without images in use', async () => {
    const output = await collectEcr(mockedCollectorContext());
    expect(ecr).not.toHaveReceivedCommand(DescribeImagesCommand);
    expect(output.resources.map((r) => r.type)).toEqual([ECR_REPOSITORY_TYPE]);
  });

  it('records a denied call as an error on each image, kept by URI without scan data', async () => {
    ecr
      .on(DescribeImagesCommand)
      .rejects(Object.assign(new Error('not authorized to perform: ecr:DescribeImages'), { name: 'AccessDeniedException' }));
    const images = [uri('ml-trainer', 'a'), uri('ml-trainer', 'b')];
    const output = await collectEcr(mockedCollectorContext({ images }));
    expect(output.errors).toEqual(
      images.map((image) =>
        expect.objectContaining({ api: 'ecr:DescribeImages', resource: image, code: 'AccessDeniedException' }),
      ),
    );
    expect(output.resources.filter((r) => r.type === ECR_IMAGE_TYPE)).toEqual(
      images.map((image) => expect.objectContaining({ arn: image, configuration: { repository: 'ml-trainer' } })),
    );
  });

  it('describes a batch image by image when one of its images no longer exists', async () => {
    const gone = new ImageNotFoundException({ message: 'The image requested does not exist', $metadata: {} });
    ecr
      .on(DescribeImagesCommand)
      .rejectsOnce(gone)
      .resolvesOnce({ imageDetails: [detail('ml-trainer', 'a', 0)] })
      .rejectsOnce(gone);
    const output = await collectEcr(mockedCollectorContext({ images: [uri('ml-trainer', 'a'), uri('ml-trainer', 'b')] }));
    expect(output.resources.find((r) => r.arn === uri('ml-trainer', 'a'))?.configuration).toMatchObject({
      scanStatus: 'COMPLETE',
    });
    expect(output.errors).toEqual([
      expect.objectContaining({ api: 'ecr:DescribeImages', resource: uri('ml-trainer', 'b'), code: 'ImageNotFoundException' }),
    ]);
  });
});
