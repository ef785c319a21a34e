import type { AwsClientFactory } from '../aws/clients';
import type { CollectionError, CollectionNote, CollectorName, EvidenceResource, Scope } from '../evidence/record';

/** Tunables shared by all collectors; defaults come from the config schema. */
export interface CollectorSettings {
  /** Describe calls in flight at once per collector run. */
  concurrency: number;
  /** SageMaker jobs older than this are not collected. */
  lookbackDays: number;
  /** A credential report younger than this is reused instead of generating a new one. */
  credentialReportMaxAgeHours: number;
}

export interface CollectorContext {
  account: string;
  /** The region to describe; global collectors call their global endpoint through the home region. */
  region: string;
  scope: Scope;
  clients: AwsClientFactory;
  clock: () => Date;
  settings: CollectorSettings;
  /** Epoch ms after which no new describe may start (Lambda timeout guard). */
  deadline?: number;
  /** Progress lines for people watching a long run. */
  progress?: (message: string) => void;
  /** Injected sleep, so backoff loops are instant in tests. */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Container image URIs that ML resources of this account and region run, from the latest
   * SageMaker evidence (flows/collect.ts): the ECR collector describes only these images.
   */
  images?: readonly string[];
}

export interface CollectorOutput {
  resources: EvidenceResource[];
  errors: CollectionError[];
  notes: CollectionNote[];
  deleted: string[];
}

export interface Collector {
  name: CollectorName;
  version: string;
  /** Account-wide collectors (s3, iam) run once per account, not per region. */
  global: boolean;
  collect(context: CollectorContext): Promise<CollectorOutput>;
}
