/**
 * The evidence bucket's layout, in one place: every top-level folder, every prefix under it, the
 * fixed keys, and which folders are write-once. The runtime code builds and lists keys from
 * these names and lib/ derives the bucket policy and every IAM statement on objects from them,
 * so a folder is renamed here or nowhere. Pure data: lib/ may import this module.
 *
 *   evidence/v1/collector=C/account=A/region=R/date=D/<HHMMSSmmm>Z-<id>.json.gz   collection records
 *   evidence/v1/changes/account=A/region=R/date=D/...                            the change log
 *   evidence/v1/alerts/account=A/date=D/...                                       the alert log
 *   evidence/v1/inbox/...                                                         the inbox intake log
 *   manual/<ITEM-ID>/<YYYY-MM-DD>/<HHMMSSmmm>Z-<file>                             attested manual evidence
 *   inbox/<ITEM-ID>/<file>                                                        uploads waiting for intake
 *   digests/v1/account=A/<period>.json, digests/v1/manual/, digests/v1/public-keys/  the signed chain
 *   state/v1/finding-status.json, state/v1/reminders.json                        mutable state (replaced)
 *   state/v1/unreadable/<sha256>                                                 unreadable state files kept aside
 *   reports/YYYY/MM/DD/<time>Z/, reports/latest/, reports/period/                reports (dated, latest copies, period reports)
 *   runs/v1/date=D/<run>.json                                                     organisation run summaries
 */

/** Top-level folders of the bucket. */
export const EVIDENCE_FOLDER = 'evidence/';
export const MANUAL_ROOT = 'manual/';
export const INBOX_ROOT = 'inbox/';
export const DIGESTS_FOLDER = 'digests/';
export const STATE_FOLDER = 'state/';
export const REPORTS_ROOT = 'reports/';
export const RUNS_FOLDER = 'runs/';

/** The record schema version is the evidence folder's version: evidence/v1 records live under evidence/v1/. */
export const EVIDENCE_SCHEMA = 'evidence/v1';
export const EVIDENCE_ROOT = `${EVIDENCE_SCHEMA}/`;
/** Collection records, the only objects under evidence/v1/ that are evidence records. */
export const COLLECTION_RECORDS_PREFIX = `${EVIDENCE_ROOT}collector=`;
export const CHANGE_LOG_PREFIX = `${EVIDENCE_ROOT}changes/`;
export const ALERT_LOG_PREFIX = `${EVIDENCE_ROOT}alerts/`;
export const INTAKE_LOG_PREFIX = `${EVIDENCE_ROOT}inbox/`;

export const DIGESTS_ROOT = `${DIGESTS_FOLDER}v1/`;
export const PUBLIC_KEYS_PREFIX = `${DIGESTS_ROOT}public-keys/`;

export const STATE_ROOT = `${STATE_FOLDER}v1/`;
export const FINDING_STATE_KEY = `${STATE_ROOT}finding-status.json`;
/** Where an unreadable state file is kept (write-once, named by its hash) before it is replaced. */
export const UNREADABLE_STATE_PREFIX = `${STATE_ROOT}unreadable/`;
export const REMINDER_STATE_KEY = `${STATE_ROOT}reminders.json`;

export const LATEST_REPORTS_PREFIX = `${REPORTS_ROOT}latest/`;
/** Period reports: evidence an auditor keeps, never replaced. */
export const PERIOD_REPORTS_PREFIX = `${REPORTS_ROOT}period/`;
/** The copy of the HTML report replaced on every run: what the Slack summary links to. */
export const LATEST_HTML_REPORT_KEY = `${LATEST_REPORTS_PREFIX}report.html`;

/** Under RUNS_FOLDER; written out whole so the organisation-run bundle carries it as one string. */
export const RUN_SUMMARY_PREFIX = 'runs/v1/';

/**
 * Prefixes whose objects are written once (the bucket refuses a put without If-None-Match: *);
 * the rest of reports/ and state/ hold copies replaced on every run.
 */
export const WRITE_ONCE_PREFIXES = [EVIDENCE_FOLDER, MANUAL_ROOT, DIGESTS_FOLDER, PERIOD_REPORTS_PREFIX] as const;
/** The folders sealed by the digest chain and verified; reports and alert state are mutable and are not. */
export const SEALED_ROOTS = [EVIDENCE_ROOT, MANUAL_ROOT] as const;
