import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { GetObjectLockConfigurationCommand } from '@aws-sdk/client-s3';
import type { AwsClientFactory } from '../aws/clients';
import { errorMessage } from '../aws/errors';
import { loadCatalog } from '../catalog/catalog';
import type { StoreFacts } from '../checks/facts';
import { ALL_CHECKS } from '../checks/registry';
import { COLLECTORS } from '../collectors/registry';
import { LocalDirectoryStore } from '../evidence/local-store';
import { listManualEvidence } from '../integrity/attest';
import { sealPeriods } from '../integrity/digest';
import { defaultLocalKeyPath, LocalDigestSigner } from '../integrity/signer';
import { verifyStore } from '../integrity/verify';
import { evaluate } from '../report/evaluate';
import {
  baseStoreFacts,
  loadReportHistory,
  loadStoredEvidence,
  parseFormats,
  recordReport,
  renderReports,
} from '../report/pipeline';
import { ITEM_STATUSES, type ItemStatus } from '../report/result';
import {
  type AwsOptions,
  clientFactory,
  homeRegion,
  loadConfig,
  openStore,
  parseList,
  resolveAccount,
  type StoreOptions,
} from './environment';
import { UsageError } from './errors';
import { type CliOutput, formatTable } from './output';

export interface ReportOptions extends StoreOptions, AwsOptions {
  out?: string;
  format?: string;
  config?: string;
  failOn?: string;
}

export const DEFAULT_REPORT_DIR = './soc2-report';

/** `soc2-ml report`: seal, verify, evaluate the latest evidence and write the report files. */
export async function reportCommand(options: ReportOptions, out: CliOutput): Promise<number> {
  const config = await loadConfig(options.config);
  const formats = parseFormats(parseList(options.format));
  if ('unknown' in formats)
    throw new UsageError(`--format: unknown ${formats.unknown.join(', ')}; valid: json, html, md, csv, oscal`);
  const failOn = parseList(options.failOn)?.map((s) => s.toUpperCase()) ?? [];
  const badStatus = failOn.find((s) => !(ITEM_STATUSES as readonly string[]).includes(s));
  if (badStatus) throw new UsageError(`--fail-on ${badStatus}: valid statuses are ${ITEM_STATUSES.join(', ')}`);
  const catalog = loadCatalog({ checkIds: ALL_CHECKS.map((c) => c.id) });
  const clients = clientFactory(options, config, homeRegion(options, config));
  const store = await openStore(options, clients, config);
  const outDir = resolve(options.out ?? DEFAULT_REPORT_DIR);
  try {
    await mkdir(outDir, { recursive: true });
  } catch (err) {
    throw new UsageError(`--out ${outDir}: cannot create: ${errorMessage(err)}`);
  }
  const now = new Date();

  if (store instanceof LocalDirectoryStore) {
    // The deployed evaluator seals the bucket with KMS; locally we seal with a key kept outside the store.
    const signer = await LocalDigestSigner.open(defaultLocalKeyPath(store.location));
    const sealed = await sealPeriods(store, signer, { now, period: config.evidence.digestPeriod });
    if (sealed.length > 0) out.progress(`sealed ${sealed.length} digest period(s) with local key ${signer.keyId}`);
  }
  out.progress(`verifying the digest chain of ${store.location}...`);
  const integrity = await verifyStore(store, { now, period: config.evidence.digestPeriod });
  out.progress('reading evidence...');
  const evidence = await loadStoredEvidence(store, (n) => out.progress(`  ${n} records read`));
  const [manualEvidence, history] = await Promise.all([listManualEvidence(store), loadReportHistory(store)]);
  const facts: StoreFacts = {
    ...baseStoreFacts(store, evidence, history),
    integrity: { verified: integrity.problems.length === 0, problems: integrity.problems.map((p) => `${p.kind}: ${p.message}`) },
    ...(options.bucket ? { evidenceBucket: await evidenceBucketFacts(clients, options.bucket) } : {}),
  };
  out.progress(`evaluating ${evidence.length} evidence records against ${catalog.items.length} checklist items...`);
  const result = evaluate({
    evidence,
    manualEvidence,
    catalog,
    checks: ALL_CHECKS,
    config,
    now,
    facts,
    globalCollectors: Object.values(COLLECTORS)
      .filter((c) => c.global)
      .map((c) => c.name),
  });

  const files = renderReports(result, history, formats.includes('json') ? formats : [...formats, 'json']);
  for (const [name, content] of files) {
    if (name === 'report.json' && !formats.includes('json')) continue;
    await writeFile(join(outDir, name), content);
  }
  await recordReport(store, result, new Map([...files].filter(([name]) => name === 'report.json')));

  out.json({ outDir, summary: result.summary, files: [...files.keys()].map((name) => join(outDir, name)) });
  out.result(
    formatTable(
      ['status', 'items'],
      ITEM_STATUSES.map((s) => [s, result.summary[s]]),
    ),
  );
  const failing = result.items.filter((item) => failOn.includes(item.status as ItemStatus));
  out.result(`\nreport written to ${join(outDir, formats.includes('html') ? 'report.html' : 'report.json')}`);
  if (failing.length > 0) {
    out.result(`--fail-on ${failOn.join(',')}: ${failing.length} item(s): ${failing.map((i) => i.id).join(', ')}`);
    return 1;
  }
  return 0;
}

/** Lock settings of the evidence bucket itself, for evidence.bucket_locked. */
async function evidenceBucketFacts(clients: AwsClientFactory, bucket: string): Promise<StoreFacts['evidenceBucket']> {
  const base = { name: bucket, account: (await resolveAccount(clients)).account, region: clients.settings.region };
  try {
    const lock = await clients.s3().send(new GetObjectLockConfigurationCommand({ Bucket: bucket }));
    const retention = lock.ObjectLockConfiguration?.Rule?.DefaultRetention;
    return {
      ...base,
      objectLockEnabled: lock.ObjectLockConfiguration?.ObjectLockEnabled === 'Enabled',
      ...(retention?.Mode ? { mode: retention.Mode } : {}),
      ...(retention?.Days || retention?.Years ? { days: retention.Days ?? (retention.Years ?? 0) * 365 } : {}),
    };
  } catch {
    // Not configured or not readable: reported as unlocked, which fails closed.
    return { ...base, objectLockEnabled: false };
  }
}
