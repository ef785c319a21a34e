/**
 * Facts about the evidence store itself that the caller (CLI or evaluator Lambda) measures and
 * hands to the evidence.* self-checks. Checks stay pure: they never look at the store.
 */
export interface StoreFacts {
  /** Human-readable store location ("s3://bucket" or a directory), used as the finding resource. */
  location: string;
  /** The evidence bucket's lock settings; undefined for a local directory store. */
  evidenceBucket?: {
    name: string;
    account: string;
    region: string;
    objectLockEnabled: boolean;
    /** Default retention mode (COMPLIANCE or GOVERNANCE), undefined when no default retention. */
    mode?: string;
    /** Default retention in days (years converted), undefined when no default retention. */
    days?: number;
  };
  /** Outcome of walking the digest chain; undefined when it was not verified. */
  integrity?: {
    verified: boolean;
    problems: string[] /** Digests in the chain(s); 0 before the first period is sealed. */;
    digests?: number;
  };
  /** generatedAt of earlier reports, and when evidence collection began (bounds the schedule window). */
  reports: { generatedAt: string[]; collectingSince?: string };
  /** Change events captured in the period per account, and whether the event path (queue, DLQ) is healthy. */
  changeEvents?: { byAccount: Record<string, number>; healthy: boolean; detail?: string };
}
