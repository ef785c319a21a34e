import { GenerateCredentialReportCommand, GetCredentialReportCommand, type IAMClient } from '@aws-sdk/client-iam';
import type { CollectionLog } from '../collection-log';

/** One user's row of the IAM credential report, with AWS's placeholders turned into null. */
export interface CredentialReportRow {
  user: string;
  arn: string;
  userCreationTime: string | null;
  passwordEnabled: boolean | null;
  passwordLastUsed: string | null;
  passwordLastChanged: string | null;
  mfaActive: boolean;
  accessKey1Active: boolean;
  accessKey2Active: boolean;
}

export interface CredentialReport {
  generatedAt: Date;
  reused: boolean;
  rows: CredentialReportRow[];
}

export const ROOT_ACCOUNT_ROW = '<root_account>';

/** Placeholders AWS writes where a value does not exist or was never recorded. */
const PLACEHOLDERS = new Set(['N/A', 'not_supported', 'no_information', '']);

const orNull = (value: string | undefined): string | null => (value === undefined || PLACEHOLDERS.has(value) ? null : value);

function booleanOrNull(value: string | undefined): boolean | null {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return null;
}

/**
 * Parses the report's CSV by header name. Its fields are ARNs, timestamps and flags, which
 * never hold commas or quotes, so a line split is enough; a header without the columns we read
 * means the format changed, and we refuse it rather than misread it.
 */
export function parseCredentialReport(csv: string): CredentialReportRow[] {
  const lines = csv.split(/\r?\n/).filter((line) => line.length > 0);
  const header = lines[0]?.split(',') ?? [];
  const column = (name: string): number => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`credential report has no "${name}" column`);
    return index;
  };
  const at = {
    user: column('user'),
    arn: column('arn'),
    userCreationTime: column('user_creation_time'),
    passwordEnabled: column('password_enabled'),
    passwordLastUsed: column('password_last_used'),
    passwordLastChanged: column('password_last_changed'),
    mfaActive: column('mfa_active'),
    accessKey1Active: column('access_key_1_active'),
    accessKey2Active: column('access_key_2_active'),
  };
  return lines.slice(1).map((line) => {
    const fields = line.split(',');
    return {
      user: fields[at.user] ?? '',
      arn: fields[at.arn] ?? '',
      userCreationTime: orNull(fields[at.userCreationTime]),
      passwordEnabled: booleanOrNull(fields[at.passwordEnabled]),
      passwordLastUsed: orNull(fields[at.passwordLastUsed]),
      passwordLastChanged: orNull(fields[at.passwordLastChanged]),
      mfaActive: fields[at.mfaActive] === 'true',
      accessKey1Active: fields[at.accessKey1Active] === 'true',
      accessKey2Active: fields[at.accessKey2Active] === 'true',
    };
  });
}

/** IAM's query-protocol codes and the SDK's exception names: either may reach us. */
const NOT_PRESENT = [
  'ReportNotPresent',
  'CredentialReportNotPresentException',
  'ReportExpired',
  'CredentialReportExpiredException',
];
const IN_PROGRESS = ['ReportInProgress', 'CredentialReportNotReadyException'];
const LIMIT_EXCEEDED = ['LimitExceeded', 'LimitExceededException'];

export const CREDENTIAL_REPORT_POLL = { attempts: 10, firstDelayMs: 1_000, maxDelayMs: 16_000 } as const;

export interface CredentialReportRequest {
  iam: IAMClient;
  log: CollectionLog;
  /** The account resource the report's errors are recorded against. */
  resource: string;
  now: Date;
  maxAgeHours: number;
  sleep: (ms: number) => Promise<void>;
}

type Fetched = { state: 'ready'; report: CredentialReport } | { state: 'none' } | { state: 'in-progress' } | { state: 'failed' };

/**
 * The credential report can be generated only every 4 hours, so: reuse a report younger than
 * maxAgeHours without generating; otherwise generate and poll with backoff while it is in
 * progress; on LimitExceeded reuse the last report. Undefined when no report could be had
 * (the reason is in the log).
 */
export async function obtainCredentialReport(request: CredentialReportRequest): Promise<CredentialReport | undefined> {
  const existing = await fetchReport(request);
  if (existing.state === 'failed') return undefined;
  const last = existing.state === 'ready' ? existing.report : undefined;
  if (last && request.now.getTime() - last.generatedAt.getTime() < request.maxAgeHours * 3_600_000) return last;

  const generated = await request.log.call(
    'iam:GenerateCredentialReport',
    request.resource,
    () => request.iam.send(new GenerateCredentialReportCommand({})),
    LIMIT_EXCEEDED,
  );
  if (generated.status === 'failed') return undefined;
  if (generated.status === 'absent') {
    if (last) {
      request.log.note(request.resource, 'credential report generation limit reached: the last report was reused');
      return last;
    }
    // Someone else's generation is under way; wait for it like for our own.
  }

  let delay: number = CREDENTIAL_REPORT_POLL.firstDelayMs;
  for (let attempt = 1; attempt <= CREDENTIAL_REPORT_POLL.attempts; attempt += 1) {
    const fetched = await fetchReport(request);
    if (fetched.state === 'ready') return { ...fetched.report, reused: false };
    if (fetched.state === 'failed') return undefined;
    await request.sleep(delay);
    delay = Math.min(delay * 2, CREDENTIAL_REPORT_POLL.maxDelayMs);
  }
  request.log.error('iam:GetCredentialReport', request.resource, {
    name: 'ReportInProgress',
    message: `credential report still not ready after ${CREDENTIAL_REPORT_POLL.attempts} attempts`,
  });
  return undefined;
}

async function fetchReport(request: CredentialReportRequest): Promise<Fetched> {
  const outcome = await request.log.call(
    'iam:GetCredentialReport',
    request.resource,
    () => request.iam.send(new GetCredentialReportCommand({})),
    [...NOT_PRESENT, ...IN_PROGRESS],
  );
  if (outcome.status === 'failed') return { state: 'failed' };
  if (outcome.status === 'absent') return IN_PROGRESS.includes(outcome.code) ? { state: 'in-progress' } : { state: 'none' };
  const content = outcome.value.Content ? Buffer.from(outcome.value.Content).toString('utf8') : '';
  try {
    return {
      state: 'ready',
      report: {
        generatedAt: outcome.value.GeneratedTime ?? new Date(0),
        reused: true,
        rows: parseCredentialReport(content),
      },
    };
  } catch (err) {
    request.log.error('iam:GetCredentialReport', request.resource, { name: 'MalformedCredentialReport', message: String(err) });
    return { state: 'failed' };
  }
}
