import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { ParameterTier, StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { ConfigError, type Soc2MlConfig } from '../lambdas/config/schema';
import { COLLECTOR_NAMES, type CollectorName } from '../lambdas/evidence/record';
import { CollectorFunction } from './collector-function';
import { EvidenceBucket } from './evidence-bucket';

export interface Soc2MlStackProps extends StackProps {
  /** Validated configuration (parseConfig); also handed to the Lambdas through SSM. */
  config: Soc2MlConfig;
}

/** SSM standard parameters hold 4 KB; advanced ones 8 KB. */
const STANDARD_PARAMETER_LIMIT = 4096;
const ADVANCED_PARAMETER_LIMIT = 8192;

/** The deployed app: the evidence bucket, one scheduled collector per service and their configuration. */
export class Soc2MlStack extends Stack {
  readonly evidence: EvidenceBucket;
  readonly collectors: Record<CollectorName, CollectorFunction>;
  readonly configParameter: StringParameter;

  constructor(scope: Construct, id: string, props: Soc2MlStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.evidence = new EvidenceBucket(this, 'Evidence', { evidence: config.evidence });

    const configJson = JSON.stringify(config);
    if (configJson.length > ADVANCED_PARAMETER_LIMIT) {
      throw new ConfigError(
        `configuration is ${configJson.length} bytes as JSON; at most ${ADVANCED_PARAMETER_LIMIT} fit in the SSM parameter (move exceptions to a file)`,
      );
    }
    this.configParameter = new StringParameter(this, 'Config', {
      description: 'soc2-ml-evidence: validated configuration (JSON) read by the Lambdas',
      stringValue: configJson,
      tier: configJson.length > STANDARD_PARAMETER_LIMIT ? ParameterTier.ADVANCED : ParameterTier.STANDARD,
    });

    this.collectors = Object.fromEntries(
      COLLECTOR_NAMES.map((name) => [
        name,
        new CollectorFunction(this, `Collector-${name}`, {
          collector: name,
          schedule: config.schedules[name],
          regions: config.regions,
          evidenceBucket: this.evidence.bucket,
          evidenceKey: this.evidence.key,
          configParameter: this.configParameter,
        }),
      ]),
    ) as Record<CollectorName, CollectorFunction>;

    new CfnOutput(this, 'EvidenceBucketName', {
      description: 'Evidence bucket (S3 Object Lock)',
      value: this.evidence.bucket.bucketName,
    });
    new CfnOutput(this, 'EvidenceKeyArn', { description: 'KMS key encrypting evidence', value: this.evidence.key.keyArn });
  }
}
