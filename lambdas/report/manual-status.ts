import type { EvaluatedItem, ManualEvidenceView } from './result';

/** Where an item's manual evidence stands, for people: what is missing, or until when it holds. */
export interface ManualStatus {
  state: 'missing' | 'expired' | 'fresh';
  /** The latest due date of any attestation (the freshest one decides); absent when none exists. */
  dueAt?: string;
  /** The most recent attestation. */
  latest?: ManualEvidenceView;
}

/** The person behind an attestation: who vouched for it, else who uploaded it. */
export function attester(entry: Pick<ManualEvidenceView, 'attestedBy' | 'uploadedBy'>): string {
  return entry.attestedBy ?? entry.uploadedBy;
}

export function manualStatus(item: Pick<EvaluatedItem, 'manualEvidence'>): ManualStatus {
  const latest = item.manualEvidence.reduce<ManualEvidenceView | undefined>(
    (best, m) => (!best || m.uploadedAt > best.uploadedAt ? m : best),
    undefined,
  );
  if (!latest) return { state: 'missing' };
  const dueAt = item.manualEvidence
    .map((m) => m.dueAt)
    .sort()
    .at(-1)!;
  return { state: item.manualEvidence.some((m) => m.fresh) ? 'fresh' : 'expired', dueAt, latest };
}

/** One sentence: "Never attested: Signed review is missing." or "Expired on 2026-11-02 ...". */
export function describeManualStatus(item: Pick<EvaluatedItem, 'manualEvidence' | 'manualEvidenceRequired'>): string {
  const required = item.manualEvidenceRequired;
  if (!required) return 'No manual evidence needed.';
  const status = manualStatus(item);
  const what = `${required.description} (renewed every ${required.freshnessDays} days)`;
  if (status.state === 'missing') return `Missing: ${what}; never attested.`;
  const last = `last attested by ${attester(status.latest!)} on ${status.latest!.uploadedAt.slice(0, 10)}`;
  if (status.state === 'expired') return `Expired on ${status.dueAt!.slice(0, 10)}: ${what}, ${last}.`;
  return `Fresh until ${status.dueAt!.slice(0, 10)}: ${what}, ${last}.`;
}
