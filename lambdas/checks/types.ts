import type { Soc2MlConfig } from '../config/schema';
import type { CollectionError, CollectorName, EvidenceResource } from '../evidence/record';
import type { StoreFacts } from './facts';

export const FINDING_STATUSES = ['PASS', 'FAIL', 'ERROR', 'EXCEPTED', 'NOT_APPLICABLE'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/** The evidence object a finding was decided from: auditors re-hash it to check. */
export interface EvidenceRef {
  key: string;
  sha256: string;
}

/** A collected resource as checks see it: which account it is in and which record proves it. */
export interface SnapshotResource extends EvidenceResource {
  account: string;
  evidence: EvidenceRef;
}

/**
 * What one collector saw in one account and region: its latest full snapshot overlaid with
 * newer single-resource records. `errors` holds every failed call of those records, so a check
 * can turn a missing field into ERROR citing the failure.
 */
export interface Snapshot {
  collector: CollectorName;
  account: string;
  region: string;
  collectedAt: string;
  evidence: EvidenceRef;
  resources: SnapshotResource[];
  errors: CollectionError[];
}

export interface Finding {
  check: string;
  /** ARN as AWS writes it; account-level findings use arn:aws:iam::<account>:root. */
  resource: string;
  account: string;
  region: string;
  status: FindingStatus;
  /** One line naming the field and value that decided the status. */
  detail: string;
  evidence?: EvidenceRef;
}

/** Which buckets hold ML data and which KMS keys ML resources use (see checklist: "ML bucket"). */
export interface MlScope {
  isMlBucket(account: string, bucketName: string): boolean;
  /** Why a bucket is in scope, for finding details ("referenced by arn:...", "tagged", "listed in config"). */
  reasonFor(account: string, bucketName: string): string | undefined;
  /** True when a SageMaker resource or an ML bucket uses the key (id, ARN or alias as recorded). */
  isKeyInUse(account: string, region: string, keyId: string): boolean;
  /**
   * Why the account's ML scope may be incomplete (SageMaker evidence missing for a region, or a
   * SageMaker call failed), or undefined when it is complete: ML-only checks must then not claim
   * that nothing is in scope.
   */
  gaps(account: string): string | undefined;
}

export interface CheckContext {
  config: Soc2MlConfig;
  now: Date;
  /** Snapshots of one collector across accounts and regions; empty when never collected. */
  snapshots(collector: CollectorName): Snapshot[];
  mlScope: MlScope;
  /** Facts about the evidence store for the evidence.* self-checks; absent when not measured. */
  facts?: StoreFacts;
}

/**
 * A check is a pure function from snapshots to findings, one per resource in its scope.
 * It never calls AWS. Missing evidence is the evaluator's business: a check is only run over
 * snapshots that exist, and must return ERROR (never PASS) for a resource whose needed field
 * could not be collected.
 */
export interface Check {
  id: string;
  /** Collectors whose evidence the check reads. */
  collectors: CollectorName[];
  /** The pass condition in one line (shown in reports). */
  passCondition: string;
  /** What to do when it fails. */
  remediation: string;
  run(context: CheckContext): Finding[];
}
