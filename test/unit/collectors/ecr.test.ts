import {
  DescribeRepositoriesCommand,
  ECRClient,
  GetRegistryScanningConfigurationCommand,
  ListTagsForResourceCommand,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { collectEcr } from '../../../lambdas/collectors/ecr';
import { ECR_REPOSITORY_TYPE } from '../../../lambdas/evidence/resources/ecr';
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
