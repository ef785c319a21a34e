import { reportPeriodMs } from '../checks/evidence';
import type { StoreFacts } from '../checks/facts';
import type { Soc2MlConfig } from '../config/schema';
import { countChangeEvents } from '../events/change-log';
import type { EvidenceStore } from '../evidence/store';
import { checklist, evaluateEvidence } from '../flows/evaluate';
import { listManualEvidence } from '../integrity/attest';
import type { EvidenceBucketFacts } from '../integrity/bucket-lock';
import { publicKeyKey, type SealedDigest, sealPeriods } from '../integrity/digest';
import { type DigestSigner, LocalDigestSigner } from '../integrity/signer';
import { type VerifyResult, verifyStore } from '../integrity/verify';
import { baseStoreFacts, loadCurrentEvidence, loadReportHistory } from './pipeline';
import type { EvaluationResult, IntegrityView, ReportHistoryPoint } from './result';

export interface ProduceReportOptions {
  config: Soc2MlConfig;
  now: Date;
  /** Seals every complete, unsealed digest period first; without it the chain is only verified. */
  signer?: DigestSigner;
  /** Lock settings of the evidence bucket; absent for a local directory store. */
  bucketFacts?: EvidenceBucketFacts;
  /**
   * Health of the path that brings change events into the store, when the caller can measure
   * it; without it evidence.change_log is ERROR (not measured), never PASS.
   */
  changePath?: { healthy: boolean; detail?: string };
  /** Re-hash only the objects of the last N days (older ones: presence and version); default all. */
  rehashDays?: number;
  /** One human-readable line per step (the CLI prints them on stderr). */
  onProgress?: (message: string) => void;
}

const DAY_MS = 86_400_000;

export interface ProducedReport {
  result: EvaluationResult;
  /** Earlier reports of the store, for the trend chart. */
  history: ReportHistoryPoint[];
  sealed: SealedDigest[];
  integrity: VerifyResult;
}

/**
 * Everything between an evidence store and an evaluation result, the same for `soc2-ml report`
 * and the report Lambda: seal (when given a signer), verify the chain, read evidence, manual
 * evidence and report history, and evaluate every check against the catalog.
 */
export async function produceReport(store: EvidenceStore, options: ProduceReportOptions): Promise<ProducedReport> {
  const { config, now, signer } = options;
  const progress = options.onProgress ?? (() => undefined);
  const catalog = checklist();
  const period = config.evidence.digestPeriod;

  const sealed = signer ? await sealPeriods(store, signer, { now, period }) : [];
  if (signer && sealed.length > 0) {
    const kind = signer instanceof LocalDigestSigner ? 'local' : 'KMS';
    progress(`sealed ${sealed.length} digest period(s) with ${kind} key ${signer.keyId}`);
  }
  progress(`verifying the digest chain of ${store.location}...`);
  // The signer's own public key (KMS GetPublicKey, or the local key) is the only key trusted:
  // whoever can write the store could add a key of their own beside the digests.
  const signerPem = signer ? await signer.publicKeyPem() : undefined;
  const integrity = await verifyStore(store, {
    now,
    period,
    ...(signerPem ? { publicKeys: [signerPem] } : {}),
    ...(options.rehashDays !== undefined ? { rehashFrom: new Date(now.getTime() - options.rehashDays * DAY_MS) } : {}),
  });
  progress('reading evidence...');
  const current = await loadCurrentEvidence(store, {
    onProgress: (n) => progress(`  ${n} records read`),
    ...(signerPem ? { publicKeys: [signerPem] } : {}),
  });
  for (const problem of current.problems) progress(`  ${problem.message}`);
  const [manualEvidence, history, changeEvents] = await Promise.all([
    listManualEvidence(store),
    loadReportHistory(store),
    options.changePath ? countChangeEvents(store, new Date(now.getTime() - reportPeriodMs(config.schedules.report))) : undefined,
  ]);
  const facts: StoreFacts = {
    ...baseStoreFacts(store, current, history),
    integrity: {
      verified: integrity.problems.length === 0,
      digests: integrity.summary.digests,
      problems: integrity.problems.map((p) => `${p.kind}: ${p.message}`),
    },
    ...(options.bucketFacts ? { evidenceBucket: options.bucketFacts } : {}),
    ...(options.changePath && changeEvents ? { changeEvents: { byAccount: changeEvents, ...options.changePath } } : {}),
  };
  progress(
    `evaluating ${current.evidence.length} of ${current.recordsListed} evidence records listed (the latest snapshots) against ${catalog.items.length} checklist items...`,
  );
  const result = evaluateEvidence(current, { config, now, facts, manualEvidence, catalog });
  const integrityResult = await integrityView(store, integrity, signerPem);
  return { result: { ...result, integrity: integrityResult }, history, sealed, integrity };
}

/** The verification outcome with the PEM of every key it trusted: the signer's, else as stored beside the digests. */
async function integrityView(store: EvidenceStore, verified: VerifyResult, signerPem?: string): Promise<IntegrityView> {
  const publicKeys: IntegrityView['publicKeys'] = [];
  for (const { fingerprint } of verified.summary.trustedKeys) {
    const key = publicKeyKey(fingerprint);
    const pem = signerPem ?? (await readText(store, key));
    if (pem !== undefined) publicKeys.push({ fingerprint, key, pem });
  }
  return {
    verified: verified.problems.length === 0,
    problems: verified.problems.length,
    digests: verified.summary.digests,
    heads: verified.summary.heads,
    publicKeys,
  };
}

async function readText(store: EvidenceStore, key: string): Promise<string | undefined> {
  const bytes = await store.get(key);
  return bytes ? new TextDecoder().decode(bytes) : undefined;
}
