import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { BackupClient } from '@aws-sdk/client-backup';
import { BedrockClient } from '@aws-sdk/client-bedrock';
import { BedrockAgentClient } from '@aws-sdk/client-bedrock-agent';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECRClient } from '@aws-sdk/client-ecr';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { IAMClient } from '@aws-sdk/client-iam';
import { Inspector2Client } from '@aws-sdk/client-inspector2';
import { KMSClient } from '@aws-sdk/client-kms';
import { Macie2Client } from '@aws-sdk/client-macie2';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type {
  AwsCredentialIdentityProvider,
  HttpHandlerOptions,
  HttpRequest,
  HttpResponse,
  NodeHttpHandlerOptions,
  RequestHandler,
} from '@smithy/types';
import { TOOL_NAME, TOOL_VERSION } from '../version';
import { DEFAULT_CONNECTION_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from './call-limits';

export interface AwsClientSettings {
  /** Home region: used for global services and whenever a call names no region. */
  region: string;
  /** Send every call to one endpoint (an emulator); turns on path-style S3 addressing. */
  endpointUrl?: string;
  /** Attempts per call under the SDK's adaptive retry strategy (throttling backs off). */
  maxAttempts?: number;
  /** Time allowed to connect to an endpoint, per attempt (default DEFAULT_CONNECTION_TIMEOUT_MS). */
  connectionTimeoutMs?: number;
  /** Time allowed for one attempt and longest socket silence (default DEFAULT_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
  /**
   * Epoch ms after which every call fails at once with DeadlineExceeded, and calls still in
   * flight (retries included) are given up, so that a run can store what it has in time.
   */
  deadline?: number;
  credentials?: AwsCredentialIdentityProvider;
  /** Benchmarks only: a fixed delay added to every call, so that concurrency shows. */
  injectedLatencyMs?: number;
  /** Tests only: answers HTTP requests in place of the network, keeping the SDK's retry logic in play. */
  requestHandler?: RequestHandler<HttpRequest, HttpResponse, HttpHandlerOptions>;
}

/** Longest delay setTimeout honours (about 24.8 days). */
export const MAX_TIMER_MS = 2_147_483_647;

/** A call cut short, or never started, because its run's deadline came. */
export class DeadlineExceededError extends Error {
  constructor(operation: string) {
    super(`${operation} did not finish before the run's deadline`);
    this.name = 'DeadlineExceeded';
  }
}

/** Counts API operations (not retry attempts) made through one set of clients. */
export class CallCounter {
  private count = 0;
  private readonly byOperation = new Map<string, number>();
  record(operation: string): void {
    this.count += 1;
    this.byOperation.set(operation, (this.byOperation.get(operation) ?? 0) + 1);
  }
  get total(): number {
    return this.count;
  }
  operations(): Record<string, number> {
    return Object.fromEntries([...this.byOperation.entries()].sort());
  }
}

export const DEFAULT_MAX_ATTEMPTS = 8;

/** A role in another account that a factory's credentials assume (member-account collection). */
export interface AssumedRole {
  roleArn: string;
  externalId?: string;
  /** Names the session in the member account's CloudTrail: who collected. */
  sessionName: string;
}

interface MiddlewareStackLike {
  // biome-ignore lint/suspicious/noExplicitAny: the SDK's middleware generics differ per client; we only read the command name
  add(middleware: any, options: { step: 'initialize'; name: string }): void;
}

/**
 * Builds every AWS SDK client the tool uses with one set of settings: region, credentials
 * from the standard chain, optional emulator endpoint, adaptive retries and our user agent.
 * A factory instance is one collection run: its CallCounter counts that run's calls.
 */
export class AwsClientFactory {
  private readonly cache = new Map<string, unknown>();
  private readonly credentials: AwsCredentialIdentityProvider;
  private readonly assumed = new Map<string, AwsClientFactory>();

  /** `calls` is shared with the factory this one was derived from when given (see until()). */
  constructor(
    readonly settings: AwsClientSettings,
    readonly calls: CallCounter = new CallCounter(),
  ) {
    this.credentials = settings.credentials ?? fromNodeProviderChain();
  }

  /** A fresh factory for another run, sharing settings and resolved credentials. */
  forRun(): AwsClientFactory {
    return new AwsClientFactory({ ...this.settings, credentials: this.credentials });
  }

  /** The same run's clients (its call count continues) with every call ending by the deadline. */
  until(deadline: number): AwsClientFactory {
    return new AwsClientFactory({ ...this.settings, credentials: this.credentials, deadline }, this.calls);
  }

  /**
   * Clients acting as a role in another account, the caller's credentials assuming it through
   * STS (at the first call, then refreshed before expiry). One factory per role and external ID,
   * so that its credentials are reused across runs; its forRun() factories count their own calls.
   */
  assumingRole(role: AssumedRole): AwsClientFactory {
    const key = `${role.roleArn}|${role.externalId ?? ''}`;
    let factory = this.assumed.get(key);
    if (!factory) {
      const { credentials: _base, ...settings } = this.settings;
      factory = new AwsClientFactory({
        ...settings,
        credentials: fromTemporaryCredentials({
          params: {
            RoleArn: role.roleArn,
            RoleSessionName: role.sessionName,
            ...(role.externalId ? { ExternalId: role.externalId } : {}),
          },
          masterCredentials: this.credentials,
          clientConfig: this.common(this.settings.region),
        }),
      });
      this.assumed.set(key, factory);
    }
    return factory;
  }

  private common(region: string) {
    return {
      region,
      credentials: this.credentials,
      maxAttempts: this.settings.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      retryMode: 'adaptive',
      customUserAgent: [[TOOL_NAME, TOOL_VERSION]] as [string, string][],
      ...(this.settings.endpointUrl ? { endpoint: this.settings.endpointUrl } : {}),
      requestHandler: this.settings.requestHandler ?? this.httpOptions(),
    };
  }

  /** Without these the SDK waits for ever on an endpoint that accepts a connection and never answers. */
  private httpOptions(): NodeHttpHandlerOptions {
    const requestTimeout = this.settings.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    return {
      connectionTimeout: this.settings.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      requestTimeout,
      // Without this the SDK only logs a warning when requestTimeout passes.
      throwOnRequestTimeout: true,
      // A silent socket while the answer streams in (requestTimeout ends when the headers arrive).
      socketTimeout: requestTimeout,
    };
  }

  private cached<T extends { middlewareStack: MiddlewareStackLike }>(key: string, make: () => T): T {
    let client = this.cache.get(key) as T | undefined;
    if (!client) {
      client = make();
      this.instrument(client.middlewareStack);
      this.cache.set(key, client);
    }
    return client;
  }

  private instrument(stack: MiddlewareStackLike): void {
    const latency = this.settings.injectedLatencyMs ?? 0;
    const { deadline } = this.settings;
    const counter = this.calls;
    stack.add(
      // biome-ignore lint/suspicious/noExplicitAny: see MiddlewareStackLike
      (next: any, context: { commandName?: string; clientName?: string }) => async (args: unknown) => {
        const operation = `${context.clientName ?? ''}.${context.commandName ?? 'unknown'}`;
        counter.record(operation);
        if (latency > 0) await new Promise((r) => setTimeout(r, latency));
        if (deadline === undefined) return next(args);
        if (Date.now() >= deadline) throw new DeadlineExceededError(operation);
        // Outermost step, so the deadline also bounds the SDK's retries and their back-off.
        return beforeDeadline(next(args), deadline, operation);
      },
      { step: 'initialize', name: 'soc2mlCallCounter' },
    );
  }

  s3(region = this.settings.region): S3Client {
    return this.cached(
      `s3:${region}`,
      () => new S3Client({ ...this.common(region), forcePathStyle: !!this.settings.endpointUrl }),
    );
  }

  s3Control(region = this.settings.region): S3ControlClient {
    const endpointUrl = this.settings.endpointUrl;
    return this.cached(`s3control:${region}`, () => {
      const { endpoint: _unused, ...rest } = this.common(region) as ReturnType<AwsClientFactory['common']> & {
        endpoint?: string;
      };
      // S3 Control's endpoint rules put the account id into the host name, which an emulator
      // cannot serve; with an endpoint override, resolve every call to the emulator itself.
      return new S3ControlClient(endpointUrl ? { ...rest, endpointProvider: () => ({ url: new URL(endpointUrl) }) } : rest);
    });
  }

  iam(): IAMClient {
    return this.cached('iam', () => new IAMClient(this.common(this.settings.region)));
  }

  sts(): STSClient {
    return this.cached('sts', () => new STSClient(this.common(this.settings.region)));
  }

  kms(region = this.settings.region): KMSClient {
    return this.cached(`kms:${region}`, () => new KMSClient(this.common(region)));
  }

  cloudTrail(region = this.settings.region): CloudTrailClient {
    return this.cached(`cloudtrail:${region}`, () => new CloudTrailClient(this.common(region)));
  }

  sageMaker(region = this.settings.region): SageMakerClient {
    return this.cached(`sagemaker:${region}`, () => new SageMakerClient(this.common(region)));
  }

  bedrock(region = this.settings.region): BedrockClient {
    return this.cached(`bedrock:${region}`, () => new BedrockClient(this.common(region)));
  }

  bedrockAgent(region = this.settings.region): BedrockAgentClient {
    return this.cached(`bedrock-agent:${region}`, () => new BedrockAgentClient(this.common(region)));
  }

  ecr(region = this.settings.region): ECRClient {
    return this.cached(`ecr:${region}`, () => new ECRClient(this.common(region)));
  }

  cloudWatch(region = this.settings.region): CloudWatchClient {
    return this.cached(`cloudwatch:${region}`, () => new CloudWatchClient(this.common(region)));
  }

  applicationAutoScaling(region = this.settings.region): ApplicationAutoScalingClient {
    return this.cached(`aas:${region}`, () => new ApplicationAutoScalingClient(this.common(region)));
  }

  sqs(region = this.settings.region): SQSClient {
    return this.cached(`sqs:${region}`, () => new SQSClient(this.common(region)));
  }

  guardDuty(region = this.settings.region): GuardDutyClient {
    return this.cached(`guardduty:${region}`, () => new GuardDutyClient(this.common(region)));
  }

  securityHub(region = this.settings.region): SecurityHubClient {
    return this.cached(`securityhub:${region}`, () => new SecurityHubClient(this.common(region)));
  }

  inspector(region = this.settings.region): Inspector2Client {
    return this.cached(`inspector2:${region}`, () => new Inspector2Client(this.common(region)));
  }

  backup(region = this.settings.region): BackupClient {
    return this.cached(`backup:${region}`, () => new BackupClient(this.common(region)));
  }

  macie(region = this.settings.region): Macie2Client {
    return this.cached(`macie2:${region}`, () => new Macie2Client(this.common(region)));
  }

  secretsManager(region = this.settings.region): SecretsManagerClient {
    return this.cached(`secrets:${region}`, () => new SecretsManagerClient(this.common(region)));
  }
}

/**
 * Settles as the call does, or rejects with DeadlineExceededError when the deadline comes first.
 * The abandoned call ends by itself within its request timeouts and attempts; its result is ignored.
 */
async function beforeDeadline<T>(call: Promise<T>, deadline: number, operation: string): Promise<T> {
  const remaining = Math.max(0, deadline - Date.now());
  // setTimeout fires at once for more than 2^31-1 ms; a deadline weeks away bounds nothing.
  if (remaining > MAX_TIMER_MS) return call;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(operation)), remaining);
  });
  try {
    return await Promise.race([call, expired]);
  } finally {
    clearTimeout(timer);
    call.catch(() => undefined);
  }
}
