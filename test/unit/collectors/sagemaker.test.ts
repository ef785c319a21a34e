import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeDataQualityJobDefinitionCommand,
  DescribeDomainCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeFeatureGroupCommand,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  DescribeMonitoringScheduleCommand,
  DescribeNotebookInstanceCommand,
  DescribeNotebookInstanceLifecycleConfigCommand,
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  ListDataQualityJobDefinitionsCommand,
  ListDomainsCommand,
  ListEndpointsCommand,
  ListFeatureGroupsCommand,
  ListModelBiasJobDefinitionsCommand,
  ListModelExplainabilityJobDefinitionsCommand,
  ListModelPackageGroupsCommand,
  ListModelPackagesCommand,
  ListModelQualityJobDefinitionsCommand,
  ListModelsCommand,
  ListMonitoringSchedulesCommand,
  ListNotebookInstanceLifecycleConfigsCommand,
  ListNotebookInstancesCommand,
  ListProcessingJobsCommand,
  ListTrainingJobsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { collectSageMaker, sageMakerCollector } from '../../../lambdas/collectors/sagemaker';
import {
  domainSchema,
  endpointConfigSchema,
  endpointSchema,
  featureGroupSchema,
  modelPackageSchema,
  modelSchema,
  monitoringJobDefinitionSchema,
  monitoringScheduleSchema,
  notebookInstanceSchema,
  notebookLifecycleConfigSchema,
  processingJobSchema,
  SM_DOMAIN_TYPE,
  SM_ENDPOINT_CONFIG_TYPE,
  SM_ENDPOINT_TYPE,
  SM_FEATURE_GROUP_TYPE,
  SM_MODEL_PACKAGE_TYPE,
  SM_MODEL_TYPE,
  SM_MONITORING_JOB_DEFINITION_TYPE,
  SM_MONITORING_SCHEDULE_TYPE,
  SM_NOTEBOOK_INSTANCE_TYPE,
  SM_NOTEBOOK_LIFECYCLE_CONFIG_TYPE,
  SM_PROCESSING_JOB_TYPE,
  SM_TRAINING_JOB_TYPE,
  type SmEndpoint,
  type SmNotebookLifecycleConfig,
  type SmTrainingJob,
  trainingJobSchema,
} from '../../../lambdas/evidence/resources/sagemaker';
import { mockedCollectorContext } from '../../helpers/collector-context';
import { listingPageSizes } from '../../helpers/page-sizes';

const sm = mockClient(SageMakerClient);
const cloudWatch = mockClient(CloudWatchClient);
const scaling = mockClient(ApplicationAutoScalingClient);

const NOW = new Date('2026-11-26T12:00:00.000Z');
const DAY = 86_400_000;
const ARN = 'arn:aws:sagemaker:us-east-1:123456789012';

const awsError = (name: string, message: string, status = 400) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

/** Every listing answers empty: an account with no SageMaker resources. */
function emptyAccount() {
  sm.on(ListNotebookInstancesCommand).resolves({ NotebookInstances: [] });
  sm.on(ListNotebookInstanceLifecycleConfigsCommand).resolves({ NotebookInstanceLifecycleConfigs: [] });
  sm.on(ListDomainsCommand).resolves({ Domains: [] });
  sm.on(ListTrainingJobsCommand).resolves({ TrainingJobSummaries: [] });
  sm.on(ListProcessingJobsCommand).resolves({ ProcessingJobSummaries: [] });
  sm.on(ListModelsCommand).resolves({ Models: [] });
  sm.on(ListEndpointsCommand).resolves({ Endpoints: [] });
  sm.on(ListModelPackageGroupsCommand).resolves({ ModelPackageGroupSummaryList: [] });
  sm.on(ListMonitoringSchedulesCommand).resolves({ MonitoringScheduleSummaries: [] });
  sm.on(ListDataQualityJobDefinitionsCommand).resolves({ JobDefinitionSummaries: [] });
  sm.on(ListModelQualityJobDefinitionsCommand).resolves({ JobDefinitionSummaries: [] });
  sm.on(ListModelBiasJobDefinitionsCommand).resolves({ JobDefinitionSummaries: [] });
  sm.on(ListModelExplainabilityJobDefinitionsCommand).resolves({ JobDefinitionSummaries: [] });
  sm.on(ListFeatureGroupsCommand).resolves({ FeatureGroupSummaries: [] });
  cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
  scaling.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [] });
  scaling.on(DescribeScalingPoliciesCommand).resolves({ ScalingPolicies: [] });
}

function notebook(name: string) {
  sm.on(DescribeNotebookInstanceCommand, { NotebookInstanceName: name }).resolves({
    NotebookInstanceName: name,
    NotebookInstanceArn: `${ARN}:notebook-instance/${name}`,
    NotebookInstanceStatus: 'InService',
    DirectInternetAccess: 'Disabled',
    RootAccess: 'Disabled',
    PlatformIdentifier: 'notebook-al2023-v1',
  });
}

function inServiceEndpoint() {
  sm.on(DescribeEndpointCommand, { EndpointName: 'churn' }).resolves({
    EndpointName: 'churn',
    EndpointArn: `${ARN}:endpoint/churn`,
    EndpointConfigName: 'churn-config',
    EndpointStatus: 'InService',
    CreationTime: NOW,
    LastModifiedTime: NOW,
    ProductionVariants: [{ VariantName: 'primary', CurrentInstanceCount: 2, DesiredInstanceCount: 2 }],
    DataCaptureConfig: {
      EnableCapture: true,
      CaptureStatus: 'Started',
      CurrentSamplingPercentage: 100,
      DestinationS3Uri: 's3://capture/churn',
      KmsKeyId: 'alias/ml',
    },
  });
  sm.on(DescribeEndpointConfigCommand, { EndpointConfigName: 'churn-config' }).resolves({
    EndpointConfigName: 'churn-config',
    EndpointConfigArn: `${ARN}:endpoint-config/churn-config`,
    KmsKeyId: 'alias/ml',
    CreationTime: NOW,
    ProductionVariants: [
      { VariantName: 'primary', ModelName: 'churn-model', InstanceType: 'ml.m5.large', InitialInstanceCount: 2 },
    ],
  });
  cloudWatch.on(DescribeAlarmsCommand).resolves({
    MetricAlarms: [
      {
        AlarmName: 'churn-latency',
        Namespace: 'AWS/SageMaker',
        MetricName: 'ModelLatency',
        Dimensions: [
          { Name: 'EndpointName', Value: 'churn' },
          { Name: 'VariantName', Value: 'primary' },
        ],
        ActionsEnabled: true,
        AlarmActions: ['arn:aws:sns:us-east-1:123456789012:oncall'],
      },
      { AlarmName: 'other-endpoint', MetricName: 'ModelLatency', Dimensions: [{ Name: 'EndpointName', Value: 'other' }] },
    ],
  });
  scaling.on(DescribeScalableTargetsCommand).resolves({
    ScalableTargets: [
      {
        ServiceNamespace: 'sagemaker',
        ResourceId: 'endpoint/churn/variant/primary',
        ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
        MinCapacity: 2,
        MaxCapacity: 6,
        RoleARN: 'arn:aws:iam::123456789012:role/scaling',
        CreationTime: NOW,
      },
    ],
  });
  scaling.on(DescribeScalingPoliciesCommand).resolves({
    ScalingPolicies: [
      {
        PolicyName: 'invocations-target',
        PolicyARN: 'arn:aws:autoscaling:policy',
        ServiceNamespace: 'sagemaker',
        ResourceId: 'endpoint/churn/variant/primary',
        ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
        PolicyType: 'TargetTrackingScaling',
        CreationTime: NOW,
      },
    ],
  });
}

const context = (overrides = {}) => mockedCollectorContext({ clock: () => NOW, ...overrides });

beforeEach(() => {
  sm.reset();
  cloudWatch.reset();
  scaling.reset();
  emptyAccount();
});

describe('sageMakerCollector', () => {
  it('is a regional collector named sagemaker', () => {
    expect(sageMakerCollector).toMatchObject({ name: 'sagemaker', global: false });
  });

  it('answers nothing and no errors for an empty account, without listing alarms or scaling', async () => {
    // Act
    const output = await collectSageMaker(context());

    // Assess
    expect(output).toEqual({ resources: [], errors: [], notes: [], deleted: [] });
    expect(cloudWatch).not.toHaveReceivedCommand(DescribeAlarmsCommand);
    expect(scaling).not.toHaveReceivedCommand(DescribeScalableTargetsCommand);
  });

  it('follows every page of a listing', async () => {
    // Prepare
    sm.on(ListNotebookInstancesCommand)
      .resolvesOnce({
        NotebookInstances: [{ NotebookInstanceName: 'a', NotebookInstanceArn: `${ARN}:notebook-instance/a` }],
        NextToken: 'p2',
      })
      .resolvesOnce({ NotebookInstances: [{ NotebookInstanceName: 'b', NotebookInstanceArn: `${ARN}:notebook-instance/b` }] });
    notebook('a');
    notebook('b');

    // Act
    const output = await collectSageMaker(context());

    // Assess
    expect(sm).toHaveReceivedCommandTimes(ListNotebookInstancesCommand, 2);
    expect(sm).toHaveReceivedNthSpecificCommandWith(2, ListNotebookInstancesCommand, { NextToken: 'p2', MaxResults: 100 });
    expect(output.resources.filter((r) => r.type === SM_NOTEBOOK_INSTANCE_TYPE).map((r) => r.configuration.name)).toEqual([
      'a',
      'b',
    ]);
    expect(output.errors).toEqual([]);
  });

  it('keeps the first page when a listing fails on the second, recording the failed call without a resource', async () => {
    // Prepare
    sm.on(ListNotebookInstancesCommand)
      .resolvesOnce({
        NotebookInstances: [{ NotebookInstanceName: 'a', NotebookInstanceArn: `${ARN}:notebook-instance/a` }],
        NextToken: 'p2',
      })
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    notebook('a');

    // Act
    const output = await collectSageMaker(context());

    // Assess
    expect(output.resources.filter((r) => r.type === SM_NOTEBOOK_INSTANCE_TYPE).map((r) => r.configuration.name)).toEqual(['a']);
    expect(output.errors).toEqual([
      { api: 'sagemaker:ListNotebookInstances', code: 'ThrottlingException', message: 'Rate exceeded' },
    ]);
    expect(output.notes).toEqual([{ message: 'sagemaker:ListNotebookInstances failed part-way: list incomplete' }]);
  });

  it('asks every listing for the largest page SageMaker allows', async () => {
    // Act
    await collectSageMaker(context());

    // Assess
    expect(listingPageSizes(sm, 'MaxResults')).toEqual({
      ListNotebookInstancesCommand: [100],
      ListNotebookInstanceLifecycleConfigsCommand: [100],
      ListDomainsCommand: [100],
      ListTrainingJobsCommand: [100],
      ListProcessingJobsCommand: [100],
      ListModelsCommand: [100],
      ListEndpointsCommand: [100],
      ListModelPackageGroupsCommand: [100],
      ListMonitoringSchedulesCommand: [100],
      ListDataQualityJobDefinitionsCommand: [100],
      ListModelQualityJobDefinitionsCommand: [100],
      ListModelBiasJobDefinitionsCommand: [100],
      ListModelExplainabilityJobDefinitionsCommand: [100],
      ListFeatureGroupsCommand: [100],
    });
  });

  it('lists training jobs newest first inside the look-back window and stops paging at its edge', async () => {
    // Prepare
    sm.on(ListTrainingJobsCommand).resolves({
      TrainingJobSummaries: [
        {
          TrainingJobName: 'new',
          TrainingJobArn: `${ARN}:training-job/new`,
          CreationTime: new Date(NOW.getTime() - DAY),
          TrainingJobStatus: 'Completed',
        },
        {
          TrainingJobName: 'recent',
          TrainingJobArn: `${ARN}:training-job/recent`,
          CreationTime: new Date(NOW.getTime() - 89 * DAY),
          TrainingJobStatus: 'Completed',
        },
        {
          TrainingJobName: 'old',
          TrainingJobArn: `${ARN}:training-job/old`,
          CreationTime: new Date(NOW.getTime() - 91 * DAY),
          TrainingJobStatus: 'Completed',
        },
      ],
      NextToken: 'more-old-jobs',
    });
    sm.on(DescribeTrainingJobCommand).callsFake(async (input: { TrainingJobName: string }) => ({
      TrainingJobName: input.TrainingJobName,
      TrainingJobArn: `${ARN}:training-job/${input.TrainingJobName}`,
      TrainingJobStatus: 'Completed',
      CreationTime: NOW,
    }));

    // Act
    const output = await collectSageMaker(context());

    // Assess
    expect(sm).toHaveReceivedCommandTimes(ListTrainingJobsCommand, 1);
    expect(sm).toHaveReceivedCommandWith(ListTrainingJobsCommand, {
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      CreationTimeAfter: new Date(NOW.getTime() - 90 * DAY),
    });
    expect(sm).toHaveReceivedCommandTimes(DescribeTrainingJobCommand, 2);
    expect(sm).not.toHaveReceivedCommandWith(DescribeTrainingJobCommand, { TrainingJobName: 'old' });
    expect(output.resources.filter((r) => r.type === SM_TRAINING_JOB_TYPE)).toHaveLength(2);
  });

  it('records AccessDenied on one notebook and describes the others', async () => {
    // Prepare
    sm.on(ListNotebookInstancesCommand).resolves({
      NotebookInstances: ['a', 'b', 'c'].map((name) => ({
        NotebookInstanceName: name,
        NotebookInstanceArn: `${ARN}:notebook-instance/${name}`,
      })),
    });
    notebook('a');
    notebook('c');
    sm.on(DescribeNotebookInstanceCommand, { NotebookInstanceName: 'b' }).rejects(
      awsError('AccessDeniedException', 'not authorized to perform sagemaker:DescribeNotebookInstance'),
    );

    // Act
    const output = await collectSageMaker(context());

    // Assess
    expect(output.errors).toEqual([
      {
        api: 'sagemaker:DescribeNotebookInstance',
        resource: `${ARN}:notebook-instance/b`,
        code: 'AccessDeniedException',
        message: 'not authorized to perform sagemaker:DescribeNotebookInstance',
      },
    ]);
    const notebooks = output.resources.filter((r) => r.type === SM_NOTEBOOK_INSTANCE_TYPE);
    expect(notebooks.map((r) => r.arn).sort()).toEqual(['a', 'b', 'c'].map((n) => `${ARN}:notebook-instance/${n}`));
    expect(notebooks.find((r) => r.arn.endsWith('/b'))?.configuration).toEqual({ name: 'b' });
    expect(notebooks.find((r) => r.arn.endsWith('/a'))?.configuration).toMatchObject({ rootAccess: 'Disabled', kmsKeyId: null });
  });

  it('records ListMonitoringSchedules answering 500 and goes on', async () => {
    // Prepare
    sm.on(ListMonitoringSchedulesCommand).rejects(awsError('InternalFailure', 'not implemented', 500));
    sm.on(ListNotebookInstancesCommand).resolves({
      NotebookInstances: [{ NotebookInstanceName: 'a', NotebookInstanceArn: `${ARN}:notebook-instance/a` }],
    });
    notebook('a');

    // Act
    const output = await collectSageMaker(context());

    // Assess
    expect(output.errors).toEqual([
      { api: 'sagemaker:ListMonitoringSchedules', code: 'InternalFailure', message: 'not implemented' },
    ]);
    expect(output.resources.map((r) => r.type)).toEqual([SM_NOTEBOOK_INSTANCE_TYPE]);
  });

  it('keeps the keys of hyper-parameters and environments, never their values, and flags credentials by key and rule', async () => {
    // Prepare: literals under secret-naming keys, a GitHub token under a plain key, and look-alikes that are no secret
    const githubToken = `ghp_${'a1B2c3D4e5'.repeat(4)}`;
    const secrets = ['hp-secret-value', 'env-secret-value', 'model-env-secret', 'hunter2', githubToken];
    sm.on(ListTrainingJobsCommand).resolves({
      TrainingJobSummaries: [
        { TrainingJobName: 'job', TrainingJobArn: `${ARN}:training-job/job`, CreationTime: NOW, TrainingJobStatus: 'Completed' },
      ],
    });
    sm.on(DescribeTrainingJobCommand).resolves({
      TrainingJobName: 'job',
      TrainingJobArn: `${ARN}:training-job/job`,
      TrainingJobStatus: 'Completed',
      CreationTime: NOW,
      HyperParameters: { api_key: secrets[0]!, epochs: '10', max_tokens: '512', tokenizer_name: 'bert-base', repo: githubToken },
      Environment: {
        DB_PASSWORD: secrets[1]!,
        DB_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db',
        API_TOKEN: '$API_TOKEN',
      },
      OutputDataConfig: { S3OutputPath: 's3://models/output', KmsKeyId: 'alias/ml' },
      ModelArtifacts: { S3ModelArtifacts: 's3://models/output/job/output/model.tar.gz' },
      ResourceConfig: { InstanceCount: 2, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 30 },
    });
    sm.on(ListModelsCommand).resolves({ Models: [{ ModelName: 'm', ModelArn: `${ARN}:model/m`, CreationTime: NOW }] });
    sm.on(DescribeModelCommand).resolves({
      ModelName: 'm',
      ModelArn: `${ARN}:model/m`,
      CreationTime: NOW,
      PrimaryContainer: {
        Image: 'image',
        ModelDataUrl: 's3://models/output/job/output/model.tar.gz',
        Environment: { SERVICE_TOKEN: secrets[2]!, PLAIN: secrets[3]! },
      },
    });

    // Act
    const output = await collectSageMaker(context());

    // Assess
    const json = JSON.stringify(output);
    for (const secret of secrets) expect(json).not.toContain(secret);
    const job = output.resources.find((r) => r.type === SM_TRAINING_JOB_TYPE)?.configuration as SmTrainingJob;
    expect(job.hyperParameters).toEqual({
      api_key: '[REDACTED]',
      epochs: '[REDACTED]',
      max_tokens: '[REDACTED]',
      tokenizer_name: '[REDACTED]',
      repo: '[REDACTED]',
    });
    expect(job.environment).toEqual({ DB_PASSWORD: '[REDACTED]', DB_SECRET_ARN: '[REDACTED]', API_TOKEN: '[REDACTED]' });
    expect(job.flaggedEntries).toEqual([
      { source: 'hyperParameters', key: 'api_key', rule: 'secret-named-key' },
      { source: 'hyperParameters', key: 'repo', rule: 'github-token' },
      { source: 'environment', key: 'DB_PASSWORD', rule: 'secret-named-key' },
    ]);
    expect(job.references.s3Uris).toContain('s3://models/output/job/output/model.tar.gz');
    expect(job.references.kmsKeys).toEqual(['alias/ml']);
    expect(trainingJobSchema.safeParse(job).success).toBe(true);
    const model = output.resources.find((r) => r.type === SM_MODEL_TYPE)?.configuration;
    expect(model).toMatchObject({
      containers: [{ environment: { SERVICE_TOKEN: '[REDACTED]', PLAIN: '[REDACTED]' } }],
      flaggedEntries: [{ source: 'containers[0].environment', key: 'SERVICE_TOKEN', rule: 'secret-named-key' }],
    });
    expect(modelSchema.safeParse(model).success).toBe(true);
  });

  it('stores only the names of credential patterns found in lifecycle scripts', async () => {
    // Prepare
    const script = '#!/bin/bash\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n';
    sm.on(ListNotebookInstanceLifecycleConfigsCommand).resolves({
      NotebookInstanceLifecycleConfigs: [
        {
          NotebookInstanceLifecycleConfigName: 'lc',
          NotebookInstanceLifecycleConfigArn: `${ARN}:notebook-instance-lifecycle-config/lc`,
        },
      ],
    });
    sm.on(DescribeNotebookInstanceLifecycleConfigCommand).resolves({
      NotebookInstanceLifecycleConfigName: 'lc',
      NotebookInstanceLifecycleConfigArn: `${ARN}:notebook-instance-lifecycle-config/lc`,
      OnCreate: [{ Content: Buffer.from('#!/bin/bash\npip install pandas\n').toString('base64') }],
      OnStart: [{ Content: Buffer.from(script).toString('base64') }],
    });

    // Act
    const output = await collectSageMaker(context());

    // Assess
    const lifecycle = output.resources.find((r) => r.type === SM_NOTEBOOK_LIFECYCLE_CONFIG_TYPE)
      ?.configuration as SmNotebookLifecycleConfig;
    expect(lifecycle.scripts).toEqual([
      { hook: 'OnCreate', credentialPatterns: [] },
      { hook: 'OnStart', credentialPatterns: ['aws-access-key-id'] },
    ]);
    expect(notebookLifecycleConfigSchema.safeParse(lifecycle).success).toBe(true);
    const json = JSON.stringify(output);
    expect(json).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(json).not.toContain(Buffer.from(script).toString('base64'));
  });

  it('adds alarms and scaling to InService endpoints and describes their configs', async () => {
    // Prepare
    sm.on(ListEndpointsCommand).resolves({
      Endpoints: [
        {
          EndpointName: 'churn',
          EndpointArn: `${ARN}:endpoint/churn`,
          CreationTime: NOW,
          LastModifiedTime: NOW,
          EndpointStatus: 'InService',
        },
      ],
    });
    inServiceEndpoint();

    // Act
    const output = await collectSageMaker(context());

    // Assess
    const endpoint = output.resources.find((r) => r.type === SM_ENDPOINT_TYPE)?.configuration as SmEndpoint;
    expect(endpoint.alarms).toEqual([
      {
        name: 'churn-latency',
        arn: null,
        namespace: 'AWS/SageMaker',
        metricNames: ['ModelLatency'],
        actionsEnabled: true,
        alarmActions: ['arn:aws:sns:us-east-1:123456789012:oncall'],
      },
    ]);
    expect(endpoint.variants).toEqual([
      {
        name: 'primary',
        currentInstanceCount: 2,
        desiredInstanceCount: 2,
        serverless: false,
        autoScaling: { minCapacity: 2, maxCapacity: 6, policies: ['invocations-target'] },
      },
    ]);
    expect(endpoint.references.resources).toEqual([`${ARN}:endpoint-config/churn-config`]);
    const config = output.resources.find((r) => r.type === SM_ENDPOINT_CONFIG_TYPE);
    expect(config?.configuration).toMatchObject({
      kmsKeyId: 'alias/ml',
      references: { resources: [`${ARN}:model/churn-model`] },
    });
    expect(cloudWatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 1);
    expect(cloudWatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, { MaxRecords: 100 });
    expect(scaling).toHaveReceivedCommandWith(DescribeScalableTargetsCommand, { MaxResults: 50 });
    expect(scaling).toHaveReceivedCommandWith(DescribeScalingPoliciesCommand, { MaxResults: 50 });
    expect(output.errors).toEqual([]);
  });

  it('leaves alarms absent and records the error when DescribeAlarms fails', async () => {
    // Prepare
    sm.on(ListEndpointsCommand).resolves({
      Endpoints: [
        {
          EndpointName: 'churn',
          EndpointArn: `${ARN}:endpoint/churn`,
          CreationTime: NOW,
          LastModifiedTime: NOW,
          EndpointStatus: 'InService',
        },
      ],
    });
    inServiceEndpoint();
    cloudWatch.on(DescribeAlarmsCommand).rejects(awsError('AccessDenied', 'no cloudwatch'));

    // Act
    const output = await collectSageMaker(context());

    // Assess
    const endpoint = output.resources.find((r) => r.type === SM_ENDPOINT_TYPE)?.configuration as SmEndpoint;
    expect(endpoint.alarms).toBeUndefined();
    expect(endpoint.variants[0]?.autoScaling).toMatchObject({ policies: ['invocations-target'] });
    expect(output.errors).toEqual([{ api: 'cloudwatch:DescribeAlarms', code: 'AccessDenied', message: 'no cloudwatch' }]);
  });

  it('describes the newest package of each group and the packages models were built from', async () => {
    // Prepare
    const latest = `${ARN}:model-package/churn/3`;
    const deployed = `${ARN}:model-package/churn/2`;
    sm.on(ListModelPackageGroupsCommand).resolves({
      ModelPackageGroupSummaryList: [
        {
          ModelPackageGroupName: 'churn',
          ModelPackageGroupArn: `${ARN}:model-package-group/churn`,
          CreationTime: NOW,
          ModelPackageGroupStatus: 'Completed',
        },
      ],
    });
    sm.on(ListModelPackagesCommand).resolves({
      ModelPackageSummaryList: [
        { ModelPackageArn: latest, ModelPackageName: 'churn', CreationTime: NOW, ModelPackageStatus: 'Completed' },
      ],
    });
    sm.on(DescribeModelPackageCommand).callsFake(async (input: { ModelPackageName: string }) => ({
      ModelPackageName: 'churn',
      ModelPackageArn: input.ModelPackageName,
      ModelPackageGroupName: 'churn',
      ModelPackageVersion: Number(input.ModelPackageName.split('/').pop()),
      ModelApprovalStatus: 'Approved',
      ModelMetrics: { ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: 's3://m/stats.json' } } },
      CreationTime: NOW,
      ModelPackageStatus: 'Completed',
      ModelPackageStatusDetails: { ValidationStatuses: [], ImageScanStatuses: [] },
    }));
    sm.on(ListModelsCommand).resolves({ Models: [{ ModelName: 'm', ModelArn: `${ARN}:model/m`, CreationTime: NOW }] });
    sm.on(DescribeModelCommand).resolves({
      ModelName: 'm',
      ModelArn: `${ARN}:model/m`,
      CreationTime: NOW,
      PrimaryContainer: { ModelPackageName: deployed },
    });

    // Act
    const output = await collectSageMaker(context());

    // Assess
    expect(sm).toHaveReceivedCommandWith(ListModelPackagesCommand, {
      ModelPackageGroupName: 'churn',
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 1,
    });
    const packages = output.resources.filter((r) => r.type === SM_MODEL_PACKAGE_TYPE);
    expect(packages.map((r) => r.arn).sort()).toEqual([deployed, latest]);
    expect(packages[0]?.configuration).toMatchObject({ approvalStatus: 'Approved', metrics: ['ModelQuality'] });
    for (const modelPackage of packages) expect(modelPackageSchema.safeParse(modelPackage.configuration).success).toBe(true);
  });

  it("describes a notebook's lifecycle config even when the lifecycle listing failed", async () => {
    // Prepare
    sm.on(ListNotebookInstanceLifecycleConfigsCommand).rejects(awsError('InternalFailure', 'not implemented', 500));
    sm.on(ListNotebookInstancesCommand).resolves({
      NotebookInstances: [{ NotebookInstanceName: 'a', NotebookInstanceArn: `${ARN}:notebook-instance/a` }],
    });
    sm.on(DescribeNotebookInstanceCommand).resolves({
      NotebookInstanceName: 'a',
      NotebookInstanceArn: `${ARN}:notebook-instance/a`,
      NotebookInstanceLifecycleConfigName: 'setup',
    });
    sm.on(DescribeNotebookInstanceLifecycleConfigCommand, { NotebookInstanceLifecycleConfigName: 'setup' }).resolves({
      NotebookInstanceLifecycleConfigName: 'setup',
      NotebookInstanceLifecycleConfigArn: `${ARN}:notebook-instance-lifecycle-config/setup`,
      OnStart: [{ Content: Buffer.from('password=hunter2').toString('base64') }],
    });

    // Act
    const output = await collectSageMaker(context());

    // Assess
    expect(output.resources.find((r) => r.type === SM_NOTEBOOK_LIFECYCLE_CONFIG_TYPE)?.configuration).toMatchObject({
      scripts: [{ hook: 'OnStart', credentialPatterns: ['password-assignment'] }],
    });
    expect(output.errors.map((e) => e.api)).toEqual(['sagemaker:ListNotebookInstanceLifecycleConfigs']);
  });

  it('keeps at most settings.concurrency calls in flight', async () => {
    // Prepare
    const names = Array.from({ length: 12 }, (_, i) => `nb-${i}`);
    sm.on(ListNotebookInstancesCommand).resolves({
      NotebookInstances: names.map((name) => ({
        NotebookInstanceName: name,
        NotebookInstanceArn: `${ARN}:notebook-instance/${name}`,
      })),
    });
    let inFlight = 0;
    let maxInFlight = 0;
    sm.on(DescribeNotebookInstanceCommand).callsFake(async (input: { NotebookInstanceName: string }) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      return { NotebookInstanceName: input.NotebookInstanceName };
    });

    // Act
    const output = await collectSageMaker(
      context({ settings: { concurrency: 2, lookbackDays: 90, credentialReportMaxAgeHours: 4 } }),
    );

    // Assess
    expect(output.resources).toHaveLength(12);
    expect(maxInFlight).toBe(2);
  });

  it('records every kind of resource in the shape of its normalised schema', async () => {
    // Prepare
    sm.on(ListNotebookInstancesCommand).resolves({
      NotebookInstances: [{ NotebookInstanceName: 'a', NotebookInstanceArn: `${ARN}:notebook-instance/a` }],
    });
    notebook('a');
    sm.on(ListDomainsCommand).resolves({ Domains: [{ DomainId: 'd-1' }] });
    sm.on(DescribeDomainCommand).resolves({
      DomainId: 'd-1',
      DomainArn: `${ARN}:domain/d-1`,
      AppNetworkAccessType: 'VpcOnly',
      SubnetIds: ['subnet-1'],
      DefaultUserSettings: {
        ExecutionRole: 'arn:aws:iam::123456789012:role/studio',
        SharingSettings: { S3OutputPath: 's3://studio/shared' },
      },
    });
    sm.on(ListProcessingJobsCommand).resolves({
      ProcessingJobSummaries: [
        {
          ProcessingJobName: 'prep',
          ProcessingJobArn: `${ARN}:processing-job/prep`,
          CreationTime: NOW,
          ProcessingJobStatus: 'Completed',
        },
      ],
    });
    sm.on(DescribeProcessingJobCommand).resolves({
      ProcessingJobName: 'prep',
      ProcessingJobArn: `${ARN}:processing-job/prep`,
      ProcessingJobStatus: 'Completed',
      CreationTime: NOW,
      ProcessingResources: { ClusterConfig: { InstanceCount: 2, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 30 } },
      ProcessingInputs: [
        { InputName: 'raw', S3Input: { S3Uri: 's3://raw/data', LocalPath: '/opt/ml/processing/input', S3DataType: 'S3Prefix' } },
      ],
      AppSpecification: { ImageUri: 'image' },
      StoppingCondition: { MaxRuntimeInSeconds: 60 },
      RoleArn: 'arn:aws:iam::123456789012:role/processing',
    });
    sm.on(ListEndpointsCommand).resolves({
      Endpoints: [
        {
          EndpointName: 'churn',
          EndpointArn: `${ARN}:endpoint/churn`,
          CreationTime: NOW,
          LastModifiedTime: NOW,
          EndpointStatus: 'InService',
        },
      ],
    });
    inServiceEndpoint();
    sm.on(ListMonitoringSchedulesCommand).resolves({
      MonitoringScheduleSummaries: [
        {
          MonitoringScheduleName: 'dq',
          MonitoringScheduleArn: `${ARN}:monitoring-schedule/dq`,
          CreationTime: NOW,
          LastModifiedTime: NOW,
          MonitoringScheduleStatus: 'Scheduled',
        },
      ],
    });
    sm.on(DescribeMonitoringScheduleCommand).resolves({
      MonitoringScheduleName: 'dq',
      MonitoringScheduleArn: `${ARN}:monitoring-schedule/dq`,
      MonitoringScheduleStatus: 'Scheduled',
      MonitoringType: 'DataQuality',
      EndpointName: 'churn',
      CreationTime: NOW,
      LastModifiedTime: NOW,
      MonitoringScheduleConfig: { MonitoringJobDefinitionName: 'dq-def', MonitoringType: 'DataQuality' },
    });
    sm.on(ListDataQualityJobDefinitionsCommand).resolves({
      JobDefinitionSummaries: [
        {
          MonitoringJobDefinitionName: 'dq-def',
          MonitoringJobDefinitionArn: `${ARN}:data-quality-job-definition/dq-def`,
          CreationTime: NOW,
          EndpointName: 'churn',
        },
      ],
    });
    sm.on(DescribeDataQualityJobDefinitionCommand).resolves({
      JobDefinitionName: 'dq-def',
      JobDefinitionArn: `${ARN}:data-quality-job-definition/dq-def`,
      CreationTime: NOW,
      DataQualityAppSpecification: { ImageUri: 'image', Environment: { TOKEN: 'dq-secret' } },
      DataQualityJobInput: { EndpointInput: { EndpointName: 'churn', LocalPath: '/opt/ml/processing/input' } },
      DataQualityJobOutputConfig: {
        KmsKeyId: 'alias/ml',
        MonitoringOutputs: [{ S3Output: { S3Uri: 's3://monitoring/dq', LocalPath: '/opt/ml/processing/output' } }],
      },
      JobResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 20 } },
      NetworkConfig: { EnableNetworkIsolation: true, EnableInterContainerTrafficEncryption: false },
      RoleArn: 'arn:aws:iam::123456789012:role/monitor',
    });
    sm.on(ListFeatureGroupsCommand).resolves({
      FeatureGroupSummaries: [
        { FeatureGroupName: 'customers', FeatureGroupArn: `${ARN}:feature-group/customers`, CreationTime: NOW },
      ],
    });
    sm.on(DescribeFeatureGroupCommand).resolves({
      FeatureGroupName: 'customers',
      FeatureGroupArn: `${ARN}:feature-group/customers`,
      RecordIdentifierFeatureName: 'id',
      EventTimeFeatureName: 'ts',
      FeatureDefinitions: [],
      CreationTime: NOW,
      NextToken: undefined,
      OfflineStoreConfig: { S3StorageConfig: { S3Uri: 's3://features/customers', KmsKeyId: 'alias/ml' } },
      OnlineStoreConfig: { EnableOnlineStore: true },
    });
    const schemas: Record<string, { safeParse(value: unknown): { success: boolean } }> = {
      [SM_NOTEBOOK_INSTANCE_TYPE]: notebookInstanceSchema,
      [SM_DOMAIN_TYPE]: domainSchema,
      [SM_PROCESSING_JOB_TYPE]: processingJobSchema,
      [SM_ENDPOINT_TYPE]: endpointSchema,
      [SM_ENDPOINT_CONFIG_TYPE]: endpointConfigSchema,
      [SM_MONITORING_SCHEDULE_TYPE]: monitoringScheduleSchema,
      [SM_MONITORING_JOB_DEFINITION_TYPE]: monitoringJobDefinitionSchema,
      [SM_FEATURE_GROUP_TYPE]: featureGroupSchema,
    };

    // Act
    const output = await collectSageMaker(context());

    // Assess
    expect(output.errors).toEqual([]);
    expect(output.resources.map((r) => r.type).sort()).toEqual(Object.keys(schemas).sort());
    for (const resource of output.resources) {
      expect({ type: resource.type, valid: schemas[resource.type]?.safeParse(resource.configuration).success }).toEqual({
        type: resource.type,
        valid: true,
      });
    }
    expect(output.resources.find((r) => r.type === SM_MONITORING_SCHEDULE_TYPE)?.configuration).toMatchObject({
      jobDefinitionName: 'dq-def',
      references: { resources: [`${ARN}:data-quality-job-definition/dq-def`, `${ARN}:endpoint/churn`] },
    });
    expect(output.resources.find((r) => r.type === SM_MONITORING_JOB_DEFINITION_TYPE)?.configuration).toMatchObject({
      kind: 'DataQuality',
      enableNetworkIsolation: true,
      enableInterContainerTrafficEncryption: false,
      environment: { TOKEN: '[REDACTED]' },
    });
    expect(JSON.stringify(output)).not.toContain('dq-secret');
  });

  describe('with a single-resource scope', () => {
    it('re-describes an endpoint with its config, alarms and scaling only', async () => {
      // Prepare
      inServiceEndpoint();

      // Act
      const output = await collectSageMaker(context({ scope: { type: 'resource', resource: `${ARN}:endpoint/churn` } }));

      // Assess
      expect(output.resources.map((r) => r.type).sort()).toEqual([SM_ENDPOINT_TYPE, SM_ENDPOINT_CONFIG_TYPE].sort());
      expect(output.resources.find((r) => r.type === SM_ENDPOINT_TYPE)?.configuration.alarms).toHaveLength(1);
      expect(sm).not.toHaveReceivedCommand(ListEndpointsCommand);
      expect(sm).not.toHaveReceivedCommand(ListNotebookInstancesCommand);
      expect(output.errors).toEqual([]);
    });

    it('reports a resource gone since the event as deleted, not as an error', async () => {
      // Prepare
      const arn = `${ARN}:model/gone`;
      sm.on(DescribeModelCommand).rejects(awsError('ValidationException', 'Could not find model "gone".'));

      // Act
      const output = await collectSageMaker(context({ scope: { type: 'resource', resource: arn } }));

      // Assess
      expect(output.deleted).toEqual([arn]);
      expect(output.errors).toEqual([]);
      expect(output.resources).toEqual([]);
    });

    it('records an ARN it does not describe as an error', async () => {
      // Act
      const output = await collectSageMaker(
        context({ scope: { type: 'resource', resource: `${ARN}:app/d-1/user/jupyter/default` } }),
      );

      // Assess
      expect(output.errors).toEqual([expect.objectContaining({ api: 'sagemaker:scope', code: 'UnsupportedResource' })]);
    });
  });

  it('starts no describe after the deadline and records each skipped resource', async () => {
    // Prepare
    sm.on(ListNotebookInstancesCommand).resolves({
      NotebookInstances: [{ NotebookInstanceName: 'a', NotebookInstanceArn: `${ARN}:notebook-instance/a` }],
    });
    notebook('a');

    // Act
    const output = await collectSageMaker(context({ deadline: 0 }));

    // Assess
    expect(sm).not.toHaveReceivedCommand(DescribeNotebookInstanceCommand);
    expect(output.errors).toEqual([
      expect.objectContaining({ code: 'DeadlineExceeded', resource: `${ARN}:notebook-instance/a` }),
    ]);
  });
});
