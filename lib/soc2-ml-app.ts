import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError, parseConfig, type Soc2MlConfig } from '../lambdas/config/schema';
import { Soc2MlStack } from './soc2-ml-stack';

/** The CDK context key holding the configuration. */
export const CONFIG_CONTEXT_KEY = 'soc2-ml';
export const STACK_NAME = 'Soc2MlEvidence';
const CONTEXT_SOURCE = `cdk.json context "${CONFIG_CONTEXT_KEY}"`;

/**
 * Feature flags the constructs rely on, set here rather than in cdk.json so that tests
 * synthesise exactly what deploys: access logs are delivered under a bucket policy,
 * since ACLs are disabled on every bucket.
 */
const FEATURE_FLAGS = { '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true };

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
}

/** The whole app as bin/app.ts deploys it; tests build the very same thing. */
export function buildSoc2MlApp(options: Soc2MlAppOptions = {}): { app: App; stack: Soc2MlStack } {
  const { nag = true, ...appProps } = options;
  const app = new App({ ...appProps, context: { ...FEATURE_FLAGS, ...appProps.context } });
  const config = configFromContext(app.node.tryGetContext(CONFIG_CONTEXT_KEY));
  const stack = new Soc2MlStack(app, STACK_NAME, {
    config,
    description: 'soc2-ml-evidence: SOC 2 evidence collection for an AWS ML estate',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
