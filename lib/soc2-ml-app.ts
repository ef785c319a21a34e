import { Annotations, App, type AppProps, type Environment, Token, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError, parseConfig, type Soc2MlConfig } from '../lambdas/config/schema';
import { changeEventGroups } from '../lambdas/events/event-map';
import { ChangeEventForwarderStack, forwardedGroups, GLOBAL_EVENTS_REGION } from './change-event-forwarder-stack';
import { Soc2MlStack } from './soc2-ml-stack';

/** The CDK context key holding the configuration. */
export const CONFIG_CONTEXT_KEY = 'soc2-ml';
export const STACK_NAME = 'Soc2MlEvidence';
/** The change-event forwarder in another region: `Soc2MlEvidence-Events-eu-west-1`. */
export const forwarderStackName = (region: string) => `${STACK_NAME}-Events-${region}`;
const CONTEXT_SOURCE = `cdk.json context "${CONFIG_CONTEXT_KEY}"`;

/**
 * Feature flags the constructs rely on, set here rather than in cdk.json so that tests
 * synthesise exactly what deploys: access logs are delivered under a bucket policy, since ACLs
 * are disabled on every bucket; distributed maps render ResultWriterV2 (results to S3).
 */
const FEATURE_FLAGS = {
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  '@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2': true,
};

/**
 * Validates the context value. `cdk -c soc2-ml='{...}'` passes a string, cdk.json an
 * object: both are accepted.
 */
export function configFromContext(raw: unknown): Soc2MlConfig {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw new ConfigError(`${CONTEXT_SOURCE}: not valid JSON: ${(err as Error).message}`);
    }
  }
  const config = parseConfig(value, CONTEXT_SOURCE);
  // The context is committed and the config lands in an SSM String parameter: no secrets.
  if (config.slack?.webhookUrl) {
    throw new ConfigError(
      `${CONTEXT_SOURCE}: key "slack.webhookUrl": is for the CLI only; store the URL in Secrets Manager and set slack.webhookSecretArn`,
    );
  }
  return config;
}

export interface Soc2MlAppOptions extends AppProps {
  /** Run cdk-nag AwsSolutions on synth (default true). */
  nag?: boolean;
  /** Account and home region; default the CDK CLI's (CDK_DEFAULT_ACCOUNT, CDK_DEFAULT_REGION). */
  env?: Environment;
}

export interface Soc2MlApp {
  app: App;
  stack: Soc2MlStack;
  /**
   * One per region whose change events must reach home: us-east-1 (global services), every
   * collected region and every changeEvents.bucketRegions region other than home. None when the home region is unknown at synth time.
   */
  forwarders: ChangeEventForwarderStack[];
}

/** The whole app as bin/app.ts deploys it; tests build the very same thing. */
export function buildSoc2MlApp(options: Soc2MlAppOptions = {}): Soc2MlApp {
  const { nag = true, env: envOption, ...appProps } = options;
  const app = new App({ ...appProps, context: { ...FEATURE_FLAGS, ...appProps.context } });
  const config = configFromContext(app.node.tryGetContext(CONFIG_CONTEXT_KEY));
  const env = envOption ?? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const stack = new Soc2MlStack(app, STACK_NAME, {
    config,
    description: 'soc2-ml-evidence: SOC 2 evidence collection for an AWS ML estate',
    env,
  });
  const forwarders = changeEventForwarders(app, stack, env, config);
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, forwarders };
}

/**
 * CloudTrail events reach EventBridge only in the region of the call, and global services'
 * (IAM) only in us-east-1: each such region other than home gets a small stack forwarding
 * them to the home bus.
 */
function changeEventForwarders(
  app: App,
  stack: Soc2MlStack,
  env: Environment,
  config: Soc2MlConfig,
): ChangeEventForwarderStack[] {
  const homeRegion = env.region;
  if (homeRegion === undefined || Token.isUnresolved(homeRegion)) {
    Annotations.of(stack).addWarningV2(
      'soc2-ml:home-region-unknown',
      'No region at synth time: change events are only seen in the region the stack is deployed to (IAM ones only in us-east-1). Set CDK_DEFAULT_REGION to add the forwarders.',
    );
    return [];
  }
  const allGroups = changeEventGroups();
  const watched = { collected: config.regions, buckets: config.changeEvents.bucketRegions };
  const regions = [...new Set([GLOBAL_EVENTS_REGION, ...watched.collected, ...watched.buckets])]
    .filter((region) => region !== homeRegion)
    .sort();
  return regions.flatMap((region) => {
    const groups = forwardedGroups(region, watched, allGroups);
    if (groups.length === 0) return [];
    const forwarder = new ChangeEventForwarderStack(app, forwarderStackName(region), {
      description: `soc2-ml-evidence: forwards change events from ${region} to ${homeRegion}`,
      env: { ...env, region },
      homeRegion,
      groups,
    });
    // The home rules that route forwarded events exist before anything is forwarded.
    forwarder.addStackDependency(stack);
    return [forwarder];
  });
}
