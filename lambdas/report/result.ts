import type { CatalogItem, ItemKind } from '../catalog/catalog';
import type { InventoryKind, MlInventory } from '../checks/ml-inventory';
import type { EvidenceRef, Finding, FindingStatus } from '../checks/types';
import type { CollectorName } from '../evidence/record';

export const ITEM_STATUSES = ['PASS', 'FAIL', 'ERROR', 'STALE', 'NEEDS_EVIDENCE', 'ATTESTED', 'NOT_APPLICABLE'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

/** A manual evidence object as `soc2-ml attest` stores it under manual/<ITEM-ID>/. */
export interface ManualEvidenceEntry {
  itemId: string;
  key: string;
  sha256: string;
  uploadedAt: string;
  uploadedBy: string;
  /** Who vouches for the content, when not the uploader (`attest --attested-by`, an inbox tag). */
  attestedBy?: string;
  /** One line on what the evidence is. */
  note?: string;
  expiresAt?: string;
  fileName: string;
}

export interface ManualEvidenceView extends ManualEvidenceEntry {
  /** The earlier of uploadedAt + the item's freshness window and expiresAt. */
  dueAt: string;
  fresh: boolean;
}

export interface FindingException {
  approver: string;
  expires: string;
  justification: string;
}

export interface ReportFinding extends Finding {
  /** Set when an unexpired exception turned a FAIL into EXCEPTED. */
  exception?: FindingException;
}

export interface EvaluatedItem {
  id: string;
  title: string;
  section: string;
  criteria: string[];
  kind: ItemKind;
  status: ItemStatus;
  /** Why the status is not PASS/ATTESTED/NOT_APPLICABLE, one line each. */
  reasons: string[];
  checks: string[];
  findings: ReportFinding[];
  manualEvidenceRequired: CatalogItem['manualEvidence'];
  manualEvidence: ManualEvidenceView[];
}

export interface CheckInfo {
  id: string;
  collectors: CollectorName[];
  passCondition: string;
  remediation: string;
}

/** The full snapshot an evaluation used for one collector, account and region. */
export interface CollectionView {
  collector: CollectorName;
  account: string;
  region: string;
  collectedAt: string;
  evidence: EvidenceRef;
  resources: number;
  errors: number;
  /** Newer single-resource records laid over the full snapshot. */
  overlays: number;
  stale: boolean;
}

export interface ManualEvidenceDue {
  itemId: string;
  title: string;
  description: string;
  /** When the freshest evidence goes stale; null when none was ever uploaded. */
  dueAt: string | null;
  state: 'missing' | 'expired' | 'fresh';
}

export interface ExceptionView extends FindingException {
  check: string;
  resource: string;
  /** Findings it turned into EXCEPTED (applied) or would have matched (expired: 0). */
  matched: number;
}

/** The digest chain as the report's author verified it, and the keys anyone can verify it with offline. */
export interface IntegrityView {
  verified: boolean;
  problems: number;
  digests: number;
  /** Last digest of each chain: compare with an earlier report's to see that none was removed. */
  heads: { chain: string; key: string; sha256: string; periodId: string }[];
  /** Public keys (SubjectPublicKeyInfo PEM) stored beside the digests, named by SHA-256 fingerprint. */
  publicKeys: { fingerprint: string; key: string; pem: string }[];
}

export interface EvaluationResult {
  generatedAt: string;
  generatedBy: { tool: string; version: string };
  catalogVersion: string;
  accounts: string[];
  regions: string[];
  /** Items per status. */
  summary: Record<ItemStatus, number>;
  /** Distinct check findings per status. */
  findingSummary: Record<FindingStatus, number>;
  items: EvaluatedItem[];
  checks: CheckInfo[];
  collections: CollectionView[];
  manualEvidenceDue: ManualEvidenceDue[];
  exceptions: { applied: ExceptionView[]; expired: ExceptionView[] };
  inventory: MlInventory;
  /** Set when the report verified the store's digest chain (CLI and report Lambda). */
  integrity?: IntegrityView;
}

/** One earlier report, for the pass-rate trend (read back from earlier report.json files). */
export interface ReportHistoryPoint {
  generatedAt: string;
  summary: Record<ItemStatus, number>;
}

/** Share of decided items that hold: (PASS + ATTESTED) / (all items - NOT_APPLICABLE). */
export function passRate(summary: Record<ItemStatus, number>): number {
  const total = ITEM_STATUSES.reduce((sum, status) => sum + summary[status], 0) - summary.NOT_APPLICABLE;
  return total === 0 ? 0 : (summary.PASS + summary.ATTESTED) / total;
}

/** Items that hold out of the items counted, for one population of items. */
export interface PassRate {
  holding: number;
  counted: number;
}

/**
 * The pass rate stated two ways, so nobody reads one for the other: over the automated items
 * (kind auto: PASS out of every auto item that is not NOT_APPLICABLE) and over all items (PASS or
 * ATTESTED out of every item that is not NOT_APPLICABLE).
 */
export function passRates(items: readonly Pick<EvaluatedItem, 'kind' | 'status'>[]): { automated: PassRate; all: PassRate } {
  const decided = items.filter((item) => item.status !== 'NOT_APPLICABLE');
  const automated = decided.filter((item) => item.kind === 'auto');
  return {
    automated: { holding: automated.filter((i) => i.status === 'PASS').length, counted: automated.length },
    all: { holding: decided.filter((i) => i.status === 'PASS' || i.status === 'ATTESTED').length, counted: decided.length },
  };
}

const percent = ({ holding, counted }: PassRate) => (counted === 0 ? 'n/a' : `${Math.round((holding / counted) * 100)}%`);

/** The pass rates as one sentence that says what each counts. */
export function passRateSentence(items: readonly Pick<EvaluatedItem, 'kind' | 'status'>[]): string {
  const { automated, all } = passRates(items);
  return (
    `Pass rate: automated items ${percent(automated)} (${automated.holding} of ${automated.counted} items of kind auto PASS); ` +
    `all items ${percent(all)} (${all.holding} of ${all.counted} items PASS or ATTESTED; manual and partial items need fresh manual evidence). ` +
    'NOT_APPLICABLE items are not counted.'
  );
}

export type { InventoryKind };
