import { SAGEMAKER_CHECKS } from '../../../lambdas/checks/sagemaker';
import type { Finding } from '../../../lambdas/checks/types';
import { parseConfig } from '../../../lambdas/config/schema';
import type { CollectionError } from '../../../lambdas/evidence/record';
import {
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
} from '../../../lambdas/evidence/resources/sagemaker';
import { makeCheckContext, makeSnapshot, type ResourceFixture } from '../../helpers/snapshots';

const ARN = 'arn:aws:sagemaker:us-east-1:123456789012';
const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1111-2222';
const noRefs = { s3Uris: [], kmsKeys: [], resources: [] };
const PACKAGE_ARN = `${ARN}:model-package/churn/3`;

/** A compliant ML account: every sm.* check passes on it. */
function compliantWorld(): Record<string, ResourceFixture> {
  return {
    notebook: {
      arn: `${ARN}:notebook-instance/nb`,
      type: SM_NOTEBOOK_INSTANCE_TYPE,
      configuration: {
        name: 'nb',
        status: 'InService',
        kmsKeyId: KEY,
        directInternetAccess: 'Disabled',
        subnetId: 'subnet-1',
        rootAccess: 'Disabled',
        platformIdentifier: 'notebook-al2023-v1',
        lifecycleConfigName: 'lc',
        roleArn: null,
        references: noRefs,
      },
    },
    lifecycle: {
      arn: `${ARN}:notebook-instance-lifecycle-config/lc`,
      type: SM_NOTEBOOK_LIFECYCLE_CONFIG_TYPE,
      configuration: { name: 'lc', scripts: [{ hook: 'OnStart', credentialPatterns: [] }], references: noRefs },
    },
    domain: {
      arn: `${ARN}:domain/d-1`,
      type: SM_DOMAIN_TYPE,
      configuration: {
        id: 'd-1',
        name: 'studio',
        status: 'InService',
        kmsKeyId: KEY,
        appNetworkAccessType: 'VpcOnly',
        vpcId: 'vpc-1',
        subnetIds: ['subnet-1'],
        executionRoleArn: null,
        references: noRefs,
      },
    },
    training: {
      arn: `${ARN}:training-job/train-1`,
      type: SM_TRAINING_JOB_TYPE,
      configuration: {
        name: 'train-1',
        status: 'Completed',
        creationTime: '2026-11-01T00:00:00.000Z',
        instanceCount: 2,
        volumeKmsKeyId: KEY,
        outputKmsKeyId: KEY,
        enableInterContainerTrafficEncryption: true,
        enableNetworkIsolation: true,
        vpcConfig: { subnets: ['subnet-1'], securityGroupIds: ['sg-1'] },
        roleArn: null,
        environment: {},
        outputS3Path: 's3://models/output',
        modelArtifactS3Uri: 's3://models/output/train-1/output/model.tar.gz',
        hyperParameters: { epochs: '[REDACTED]' },
        flaggedEntries: [],
        references: noRefs,
      },
    },
    processing: {
      arn: `${ARN}:processing-job/prep-1`,
      type: SM_PROCESSING_JOB_TYPE,
      configuration: {
        name: 'prep-1',
        status: 'Completed',
        creationTime: '2026-11-01T00:00:00.000Z',
        instanceCount: 2,
        volumeKmsKeyId: KEY,
        outputKmsKeyId: KEY,
        enableInterContainerTrafficEncryption: true,
        enableNetworkIsolation: true,
        vpcConfig: null,
        roleArn: null,
        environment: {},
        references: noRefs,
      },
    },
    model: {
      arn: `${ARN}:model/churn-model`,
      type: SM_MODEL_TYPE,
      configuration: {
        name: 'churn-model',
        containers: [
          {
            image: '111122223333.dkr.ecr.us-east-1.amazonaws.com/churn:1',
            repositoryAccessMode: 'Vpc',
            modelDataUrl: 's3://models/output/train-1/output/model.tar.gz',
            modelPackageName: PACKAGE_ARN,
            environment: {},
          },
        ],
        enableNetworkIsolation: true,
        vpcConfig: { subnets: ['subnet-1'], securityGroupIds: ['sg-1'] },
        executionRoleArn: null,
        flaggedEntries: [],
        references: noRefs,
      },
    },
    endpointConfig: {
      arn: `${ARN}:endpoint-config/churn-config`,
      type: SM_ENDPOINT_CONFIG_TYPE,
      configuration: {
        name: 'churn-config',
        kmsKeyId: KEY,
        variants: [
          { name: 'primary', modelName: 'churn-model', instanceType: 'ml.m5.large', initialInstanceCount: 2, serverless: false },
        ],
        dataCapture: { enabled: true, destinationS3Uri: 's3://capture', kmsKeyId: KEY },
        references: noRefs,
      },
    },
    endpoint: {
      arn: `${ARN}:endpoint/churn`,
      type: SM_ENDPOINT_TYPE,
      configuration: {
        name: 'churn',
        status: 'InService',
        endpointConfigName: 'churn-config',
        variants: [
          {
            name: 'primary',
            currentInstanceCount: 2,
            desiredInstanceCount: 2,
            serverless: false,
            autoScaling: { minCapacity: 2, maxCapacity: 4, policies: ['target-tracking'] },
          },
        ],
        dataCaptureEnabled: true,
        autoRollbackAlarms: ['churn-errors'],
        alarms: [
          {
            name: 'churn-latency',
            arn: null,
            namespace: 'AWS/SageMaker',
            metricNames: ['ModelLatency'],
            actionsEnabled: true,
            alarmActions: ['arn:aws:sns:us-east-1:123456789012:oncall'],
          },
          {
            name: 'churn-cpu',
            arn: null,
            namespace: '/aws/sagemaker/Endpoints',
            metricNames: ['CPUUtilization'],
            actionsEnabled: true,
            alarmActions: [],
          },
        ],
        references: noRefs,
      },
    },
    modelPackage: {
      arn: PACKAGE_ARN,
      type: SM_MODEL_PACKAGE_TYPE,
      configuration: {
        name: 'churn',
        groupName: 'churn',
        version: 3,
        approvalStatus: 'Approved',
        metrics: ['ModelQuality'],
        references: noRefs,
      },
    },
    schedule: {
      arn: `${ARN}:monitoring-schedule/churn-dq`,
      type: SM_MONITORING_SCHEDULE_TYPE,
      configuration: {
        name: 'churn-dq',
        status: 'Scheduled',
        monitoringType: 'DataQuality',
        endpointName: 'churn',
        jobDefinitionName: null,
        inlineJobDefinition: { enableNetworkIsolation: true, enableInterContainerTrafficEncryption: true, environment: {} },
        references: noRefs,
      },
    },
    jobDefinition: {
      arn: `${ARN}:model-bias-job-definition/churn-bias`,
      type: SM_MONITORING_JOB_DEFINITION_TYPE,
      configuration: {
        name: 'churn-bias',
        kind: 'ModelBias',
        endpointName: 'churn',
        enableNetworkIsolation: true,
        enableInterContainerTrafficEncryption: true,
        environment: {},
        references: noRefs,
      },
    },
    featureGroup: {
      arn: `${ARN}:feature-group/customers`,
      type: SM_FEATURE_GROUP_TYPE,
      configuration: {
        name: 'customers',
        status: 'Created',
        offlineStore: { s3Uri: 's3://features/customers', kmsKeyId: KEY },
        onlineStore: { enabled: true, kmsKeyId: KEY },
        references: noRefs,
      },
    },
  };
}

type World = ReturnType<typeof compliantWorld>;

function runCheck(id: string, world: World, errors: CollectionError[] = []): Finding[] {
  const check = SAGEMAKER_CHECKS.find((c) => c.id === id);
  if (!check) throw new Error(`no check ${id}`);
  const snapshot = makeSnapshot({ collector: 'sagemaker', resources: Object.values(world), errors });
  return check.run(makeCheckContext([snapshot]));
}

function findingOn(findings: Finding[], arn: string): Finding {
  const finding = findings.find((f) => f.resource === arn);
  if (!finding) throw new Error(`no finding on ${arn}: ${JSON.stringify(findings)}`);
  return finding;
}

const set = (world: World, key: keyof World, patch: Record<string, unknown>) => {
  world[key].configuration = { ...world[key].configuration, ...patch };
};

/** check id, the resource it judges, how to break it, and a piece of the FAIL detail. */
const CASES: [string, keyof World, (w: World) => void, string][] = [
  ['sm.notebook.kms', 'notebook', (w) => set(w, 'notebook', { kmsKeyId: null }), 'KmsKeyId is not set'],
  [
    'sm.notebook.no_direct_internet',
    'notebook',
    (w) => set(w, 'notebook', { directInternetAccess: 'Enabled' }),
    'DirectInternetAccess is Enabled',
  ],
  ['sm.notebook.in_vpc', 'notebook', (w) => set(w, 'notebook', { subnetId: null }), 'SubnetId is not set'],
  ['sm.notebook.root_disabled', 'notebook', (w) => set(w, 'notebook', { rootAccess: 'Enabled' }), 'RootAccess is Enabled'],
  [
    'sm.notebook.platform_current',
    'notebook',
    (w) => set(w, 'notebook', { platformIdentifier: 'notebook-al1-v1' }),
    'PlatformIdentifier is notebook-al1-v1',
  ],
  [
    'sm.notebook.lifecycle_no_secrets',
    'lifecycle',
    (w) => set(w, 'lifecycle', { scripts: [{ hook: 'OnCreate', credentialPatterns: ['aws-access-key-id'] }] }),
    'OnCreate script matches credential pattern(s) aws-access-key-id',
  ],
  ['sm.domain.kms', 'domain', (w) => set(w, 'domain', { kmsKeyId: null }), 'KmsKeyId is not set'],
  [
    'sm.domain.vpc_only',
    'domain',
    (w) => set(w, 'domain', { appNetworkAccessType: 'PublicInternetOnly' }),
    'AppNetworkAccessType is PublicInternetOnly',
  ],
  ['sm.training.volume_kms', 'training', (w) => set(w, 'training', { volumeKmsKeyId: null }), 'VolumeKmsKeyId is not set'],
  [
    'sm.training.output_kms',
    'training',
    (w) => set(w, 'training', { outputKmsKeyId: null }),
    'OutputDataConfig.KmsKeyId is not set',
  ],
  [
    'sm.training.inter_container_encryption',
    'training',
    (w) => set(w, 'training', { enableInterContainerTrafficEncryption: false }),
    'EnableInterContainerTrafficEncryption is false with 2 instances',
  ],
  [
    'sm.training.network_isolation',
    'training',
    (w) => set(w, 'training', { enableNetworkIsolation: false }),
    'EnableNetworkIsolation is false',
  ],
  ['sm.training.vpc', 'training', (w) => set(w, 'training', { vpcConfig: null }), 'VpcConfig is not set'],
  [
    'sm.training.no_secrets',
    'training',
    (w) => set(w, 'training', { flaggedEntries: [{ source: 'hyperParameters', key: 'hf_token', rule: 'secret-named-key' }] }),
    'credential in hyperParameters key hf_token (rule secret-named-key): the value was not recorded',
  ],
  [
    'sm.model.no_secrets',
    'model',
    (w) =>
      set(w, 'model', {
        flaggedEntries: [{ source: 'containers[0].environment', key: 'AWS_KEY', rule: 'aws-access-key-id' }],
      }),
    'credential in containers[0].environment key AWS_KEY (rule aws-access-key-id)',
  ],
  [
    'sm.processing.kms',
    'processing',
    (w) => set(w, 'processing', { outputKmsKeyId: null }),
    'ProcessingOutputConfig.KmsKeyId not set',
  ],
  [
    'sm.processing.inter_container_encryption',
    'processing',
    (w) => set(w, 'processing', { enableInterContainerTrafficEncryption: false }),
    'EnableInterContainerTrafficEncryption is false',
  ],
  [
    'sm.model.network_isolation',
    'model',
    (w) => set(w, 'model', { enableNetworkIsolation: false }),
    'EnableNetworkIsolation is false',
  ],
  ['sm.model.in_vpc', 'model', (w) => set(w, 'model', { vpcConfig: null }), 'VpcConfig is not set'],
  [
    'sm.model.private_registry',
    'model',
    (w) =>
      set(w, 'model', {
        containers: [{ image: 'img', repositoryAccessMode: null, modelDataUrl: null, modelPackageName: null, environment: {} }],
      }),
    'RepositoryAccessMode is Platform (default)',
  ],
  [
    'sm.model.lineage',
    'model',
    (w) =>
      set(w, 'model', {
        containers: [
          {
            image: 'img',
            repositoryAccessMode: 'Vpc',
            modelDataUrl: 's3://elsewhere/model.tar.gz',
            modelPackageName: null,
            environment: {},
          },
        ],
      }),
    'ModelDataUrl s3://elsewhere/model.tar.gz is not the output of any training job',
  ],
  [
    'sm.monitoring.network_isolation',
    'jobDefinition',
    (w) => set(w, 'jobDefinition', { enableNetworkIsolation: false }),
    'EnableNetworkIsolation is false',
  ],
  [
    'sm.monitoring.inter_container_encryption',
    'jobDefinition',
    (w) => set(w, 'jobDefinition', { enableInterContainerTrafficEncryption: false }),
    'EnableInterContainerTrafficEncryption is false',
  ],
  ['sm.endpoint_config.kms', 'endpointConfig', (w) => set(w, 'endpointConfig', { kmsKeyId: null }), 'KmsKeyId is not set'],
  [
    'sm.endpoint.multi_instance',
    'endpoint',
    (w) =>
      set(w, 'endpoint', {
        variants: [{ name: 'primary', currentInstanceCount: 1, desiredInstanceCount: 1, serverless: false, autoScaling: null }],
      }),
    'variant primary CurrentInstanceCount is 1',
  ],
  ['sm.endpoint.alarms', 'endpoint', (w) => set(w, 'endpoint', { alarms: [] }), 'no alarm with an enabled action'],
  [
    'sm.endpoint.latency_alarm',
    'endpoint',
    (w) =>
      set(w, 'endpoint', {
        alarms: [
          { name: 'cpu', arn: null, namespace: null, metricNames: ['CPUUtilization'], actionsEnabled: true, alarmActions: [] },
        ],
      }),
    'no alarm on ModelLatency or OverheadLatency',
  ],
  [
    'sm.endpoint.utilization_alarm',
    'endpoint',
    (w) =>
      set(w, 'endpoint', {
        alarms: [
          { name: 'lat', arn: null, namespace: null, metricNames: ['ModelLatency'], actionsEnabled: true, alarmActions: [] },
        ],
      }),
    'no alarm on CPU, GPU, memory or disk utilisation',
  ],
  [
    'sm.endpoint.autoscaling',
    'endpoint',
    (w) =>
      set(w, 'endpoint', {
        variants: [{ name: 'primary', currentInstanceCount: 2, desiredInstanceCount: 2, serverless: false, autoScaling: null }],
      }),
    'variant primary is not a scalable target',
  ],
  ['sm.endpoint.data_capture', 'endpoint', (w) => set(w, 'endpoint', { dataCaptureEnabled: false }), 'EnableCapture is false'],
  ['sm.endpoint.data_quality_monitor', 'endpoint', (w) => set(w, 'schedule', { status: 'Stopped' }), 'churn-dq is Stopped'],
  [
    'sm.endpoint.drift_monitor',
    'endpoint',
    (w) => set(w, 'schedule', { endpointName: 'other' }),
    'no monitoring schedule names EndpointName churn',
  ],
  [
    'sm.endpoint.auto_rollback',
    'endpoint',
    (w) => set(w, 'endpoint', { autoRollbackAlarms: null }),
    'AutoRollbackConfiguration is not set',
  ],
  [
    'sm.endpoint.model_registered',
    'endpoint',
    (w) =>
      set(w, 'model', {
        containers: [{ image: 'img', repositoryAccessMode: 'Vpc', modelDataUrl: null, modelPackageName: null, environment: {} }],
      }),
    'model churn-model has no container ModelPackageName',
  ],
  [
    'sm.endpoint.model_approved',
    'endpoint',
    (w) => set(w, 'modelPackage', { approvalStatus: 'PendingManualApproval' }),
    'ModelApprovalStatus is PendingManualApproval',
  ],
  ['sm.model_package.metrics', 'modelPackage', (w) => set(w, 'modelPackage', { metrics: [] }), 'ModelMetrics is not set'],
  [
    'sm.feature_group.offline_kms',
    'featureGroup',
    (w) => set(w, 'featureGroup', { offlineStore: { s3Uri: 's3://features', kmsKeyId: null } }),
    'OfflineStoreConfig.S3StorageConfig.KmsKeyId is not set',
  ],
  [
    'sm.feature_group.online_kms',
    'featureGroup',
    (w) => set(w, 'featureGroup', { onlineStore: { enabled: true, kmsKeyId: null } }),
    'OnlineStoreConfig.SecurityConfig.KmsKeyId is not set',
  ],
];

describe('SAGEMAKER_CHECKS', () => {
  it('covers every sm.* check of the checklist exactly once', () => {
    // Prepare
    const ids = SAGEMAKER_CHECKS.map((c) => c.id);

    // Assess
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(CASES.map(([id]) => id).sort());
    expect(ids).toHaveLength(38);
    for (const check of SAGEMAKER_CHECKS) expect(check.collectors).toEqual(['sagemaker']);
  });

  describe.each(CASES)('%s', (id, target, breakIt, failDetail) => {
    it('passes on a compliant resource', () => {
      // Prepare
      const world = compliantWorld();

      // Act
      const finding = findingOn(runCheck(id, world), world[target].arn);

      // Assess
      expect(finding).toMatchObject({ check: id, status: 'PASS', account: '123456789012', region: 'us-east-1' });
      expect(finding.evidence?.key).toBeDefined();
    });

    it('fails naming the field and value', () => {
      // Prepare
      const world = compliantWorld();
      breakIt(world);

      // Act
      const finding = findingOn(runCheck(id, world), world[target].arn);

      // Assess
      expect(finding.status).toBe('FAIL');
      expect(finding.detail).toContain(failDetail);
    });

    it('is ERROR, citing the failed call, when the resource could not be described', () => {
      // Prepare
      const world = compliantWorld();
      const arn = world[target].arn;
      world[target].configuration = { name: String(world[target].configuration.name) };
      const error = { api: 'sagemaker:DescribeSomething', resource: arn, code: 'AccessDenied', message: 'not authorized' };

      // Act
      const finding = findingOn(runCheck(id, world, [error]), arn);

      // Assess
      expect(finding.status).toBe('ERROR');
      expect(finding.detail).toContain('AccessDenied');
    });
  });

  it.each([
    ['sm.training.no_secrets', 'training'],
    ['sm.model.no_secrets', 'model'],
  ] as const)('%s is ERROR on evidence recorded before the credential scan', (id, target) => {
    // Prepare
    const world = compliantWorld();
    delete (world[target].configuration as { flaggedEntries?: unknown }).flaggedEntries;

    // Act
    const finding = findingOn(runCheck(id, world), world[target].arn);

    // Assess
    expect(finding).toMatchObject({ status: 'ERROR', detail: expect.stringContaining('not scanned for credentials') });
  });

  it('says "recreate" in the remediation of settings fixed at creation', () => {
    // Prepare
    const fixed = [
      'sm.notebook.kms',
      'sm.notebook.no_direct_internet',
      'sm.notebook.in_vpc',
      'sm.training.vpc',
      'sm.model.in_vpc',
    ];

    // Assess
    for (const id of fixed) expect(SAGEMAKER_CHECKS.find((c) => c.id === id)?.remediation).toMatch(/recreate/i);
  });
});

describe('scope of the sm.* checks', () => {
  it('says exactly why a check has nothing to judge', () => {
    // Prepare: one training job on a single instance
    const world = compliantWorld();
    set(world, 'training', { instanceCount: 1 });

    // Act
    const findings = runCheck('sm.training.inter_container_encryption', world);

    // Assess
    expect(findings).toEqual([
      expect.objectContaining({ status: 'NOT_APPLICABLE', detail: 'no multi-instance training jobs in the look-back window' }),
    ]);
  });

  it('is NOT_APPLICABLE with nothing in scope after a clean collection', () => {
    // Prepare
    const world = {} as World;

    // Act
    const findings = runCheck('sm.notebook.kms', world);

    // Assess
    expect(findings).toEqual([expect.objectContaining({ status: 'NOT_APPLICABLE', resource: 'arn:aws:iam::123456789012:root' })]);
  });

  it('is ERROR with nothing in scope when its own listing failed', () => {
    // Prepare
    const errors = [{ api: 'sagemaker:ListNotebookInstances', code: 'AccessDenied', message: 'denied' }];

    // Act
    const findings = runCheck('sm.notebook.kms', {} as World, errors);

    // Assess
    expect(findings).toEqual([expect.objectContaining({ status: 'ERROR' })]);
    expect(findings[0]?.detail).toContain('ListNotebookInstances');
  });

  it('ignores the failed listing of another kind of resource', () => {
    // Prepare
    const errors = [{ api: 'sagemaker:ListFeatureGroups', code: 'InternalFailure', message: '500' }];

    // Act
    const findings = runCheck('sm.notebook.kms', {} as World, errors);

    // Assess
    expect(findings).toEqual([expect.objectContaining({ status: 'NOT_APPLICABLE' })]);
  });

  it('judges inter-container encryption only for jobs with more than one instance', () => {
    // Prepare
    const world = compliantWorld();
    set(world, 'training', { instanceCount: 1, enableInterContainerTrafficEncryption: false });

    // Act
    const findings = runCheck('sm.training.inter_container_encryption', world);

    // Assess
    expect(findings).toEqual([expect.objectContaining({ status: 'NOT_APPLICABLE' })]);
  });

  it('skips endpoints that are not InService', () => {
    // Prepare
    const world = compliantWorld();
    set(world, 'endpoint', { status: 'Creating', dataCaptureEnabled: false });

    // Act
    const findings = runCheck('sm.endpoint.data_capture', world);

    // Assess
    expect(findings).toEqual([expect.objectContaining({ status: 'NOT_APPLICABLE' })]);
  });

  it('accepts the configured notebook platforms', () => {
    // Prepare
    const world = compliantWorld();
    set(world, 'notebook', { platformIdentifier: 'notebook-al2-v3' });
    const snapshot = makeSnapshot({ collector: 'sagemaker', resources: Object.values(world) });
    const config = parseConfig({ notebookPlatforms: ['notebook-al2-*', 'notebook-al2023-*'] });
    const check = SAGEMAKER_CHECKS.find((c) => c.id === 'sm.notebook.platform_current')!;

    // Act
    const findings = check.run(makeCheckContext([snapshot], { config }));

    // Assess
    expect(findings).toEqual([expect.objectContaining({ status: 'PASS', detail: 'PlatformIdentifier is notebook-al2-v3' })]);
  });
});

describe('ERROR from region-wide calls', () => {
  it('endpoint alarm checks cite a failed DescribeAlarms', () => {
    // Prepare
    const world = compliantWorld();
    const { alarms: _dropped, ...withoutAlarms } = world.endpoint.configuration;
    world.endpoint.configuration = withoutAlarms;
    const errors = [{ api: 'cloudwatch:DescribeAlarms', code: 'ThrottlingException', message: 'rate exceeded' }];

    // Act
    const findings = ['sm.endpoint.alarms', 'sm.endpoint.latency_alarm', 'sm.endpoint.utilization_alarm'].map((id) =>
      findingOn(runCheck(id, world, errors), world.endpoint.arn),
    );

    // Assess
    for (const finding of findings) {
      expect(finding.status).toBe('ERROR');
      expect(finding.detail).toContain('cloudwatch:DescribeAlarms failed with ThrottlingException');
    }
  });

  it('autoscaling cites a failed DescribeScalableTargets', () => {
    // Prepare
    const world = compliantWorld();
    set(world, 'endpoint', {
      variants: [{ name: 'primary', currentInstanceCount: 2, desiredInstanceCount: 2, serverless: false }],
    });
    const errors = [{ api: 'application-autoscaling:DescribeScalableTargets', code: 'AccessDeniedException', message: 'no' }];

    // Act
    const finding = findingOn(runCheck('sm.endpoint.autoscaling', world, errors), world.endpoint.arn);

    // Assess
    expect(finding.status).toBe('ERROR');
    expect(finding.detail).toContain('DescribeScalableTargets');
  });

  it('monitor checks are ERROR, not FAIL, when ListMonitoringSchedules failed', () => {
    // Prepare
    const world = compliantWorld();
    const { schedule: _gone, ...rest } = world;
    const errors = [{ api: 'sagemaker:ListMonitoringSchedules', code: 'InternalFailure', message: 'not implemented' }];

    // Act
    const findings = ['sm.endpoint.data_quality_monitor', 'sm.endpoint.drift_monitor'].map((id) =>
      findingOn(runCheck(id, rest as World, errors), world.endpoint.arn),
    );

    // Assess
    for (const finding of findings) expect(finding).toMatchObject({ status: 'ERROR' });
    expect(findings[0]?.detail).toContain('ListMonitoringSchedules failed with InternalFailure');
  });

  it('lineage is ERROR, not FAIL, when training jobs could not be listed', () => {
    // Prepare
    const world = compliantWorld();
    set(world, 'model', {
      containers: [
        {
          image: 'img',
          repositoryAccessMode: 'Vpc',
          modelDataUrl: 's3://x/model.tar.gz',
          modelPackageName: null,
          environment: {},
        },
      ],
    });
    const errors = [{ api: 'sagemaker:ListTrainingJobs', code: 'ThrottlingException', message: 'slow down' }];

    // Act
    const finding = findingOn(runCheck('sm.model.lineage', world, errors), world.model.arn);

    // Assess
    expect(finding.status).toBe('ERROR');
  });

  it('lineage traces an artifact to the training job that wrote it', () => {
    // Prepare
    const world = compliantWorld();
    set(world, 'model', {
      containers: [
        {
          image: 'img',
          repositoryAccessMode: 'Vpc',
          modelDataUrl: 's3://models/output/train-1/output/model.tar.gz',
          modelPackageName: null,
          environment: {},
        },
      ],
    });

    // Act
    const finding = findingOn(runCheck('sm.model.lineage', world), world.model.arn);

    // Assess
    expect(finding).toMatchObject({ status: 'PASS' });
    expect(finding.detail).toContain(world.training.arn);
  });

  it('model_registered is ERROR when the endpoint config could not be described', () => {
    // Prepare
    const world = compliantWorld();
    world.endpointConfig.configuration = { name: 'churn-config' };
    const errors = [
      { api: 'sagemaker:DescribeEndpointConfig', resource: world.endpointConfig.arn, code: 'AccessDenied', message: 'no' },
    ];

    // Act
    const finding = findingOn(runCheck('sm.endpoint.model_registered', world, errors), world.endpoint.arn);

    // Assess
    expect(finding.status).toBe('ERROR');
    expect(finding.detail).toContain('AccessDenied');
  });
});
