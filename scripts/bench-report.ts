/**
 * Benchmark of evaluation and the report renderers (issue 4): synthetic full snapshots for a
 * large estate (default 10,000 resources over every collector, two regions) held in memory,
 * then evaluate() and each renderer timed, with peak RSS and report sizes.
 *
 * Usage: npm run bench:report -- [--resources 10000] [--out <dir>]
 *   --out  also writes the rendered files there, to open report.html in a browser
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadCatalog } from '../lambdas/catalog/catalog';
import type { StoreFacts } from '../lambdas/checks/facts';
import { ALL_CHECKS } from '../lambdas/checks/registry';
import { COLLECTORS } from '../lambdas/collectors/registry';
import { parseConfig } from '../lambdas/config/schema';
import { evaluate } from '../lambdas/report/evaluate';
import { REPORT_FORMATS, renderReports } from '../lambdas/report/pipeline';
import type { ReportHistoryPoint } from '../lambdas/report/result';
import { BENCH_ACCOUNT, BENCH_REGIONS, syntheticEvidence } from './bench-report-evidence';

const NOW = new Date('2026-11-26T12:00:00.000Z');
const DAY_MS = 86_400_000;
const MiB = 1024 * 1024;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const peakRssMiB = () => process.resourceUsage().maxRSS / 1024;

function timed<T>(fn: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = fn();
  return { value, ms: performance.now() - started };
}

/** A year of daily reports: the trend chart at its largest. */
function reportHistory(): ReportHistoryPoint[] {
  return Array.from({ length: 365 }, (_, i) => ({
    generatedAt: new Date(NOW.getTime() - (365 - i) * DAY_MS).toISOString(),
    summary: { PASS: 30 + (i % 7), FAIL: 10, ERROR: 2, STALE: 0, NEEDS_EVIDENCE: 20, ATTESTED: 0, NOT_APPLICABLE: 4 },
  }));
}

function storeFacts(history: ReportHistoryPoint[]): StoreFacts {
  return {
    location: 's3://bench-evidence',
    evidenceBucket: {
      name: 'bench-evidence',
      account: BENCH_ACCOUNT,
      region: 'us-east-1',
      objectLockEnabled: true,
      mode: 'COMPLIANCE',
      days: 400,
    },
    integrity: { verified: true, problems: [] },
    reports: { generatedAt: history.map((h) => h.generatedAt), collectingSince: history[0]?.generatedAt },
    changeEvents: { byAccount: { [BENCH_ACCOUNT]: 1_234 }, healthy: true },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { resources: { type: 'string', default: '10000' }, out: { type: 'string' } } });
  const total = Number(values.resources);
  if (!(total >= 100)) throw new Error('--resources must be at least 100');

  const built = timed(() => syntheticEvidence(total, NOW));
  const evidence = built.value;
  const resources = evidence.reduce((n, e) => n + e.record.resources.length, 0);
  console.log(`built ${fmt(resources)} resources in ${evidence.length} records in ${fmt(built.ms)} ms`);
  const rssBefore = peakRssMiB();

  const history = reportHistory();
  const config = parseConfig({ regions: BENCH_REGIONS });
  const catalog = loadCatalog({ checkIds: ALL_CHECKS.map((c) => c.id) });
  const evaluation = timed(() =>
    evaluate({
      evidence,
      manualEvidence: [],
      catalog,
      checks: ALL_CHECKS,
      config,
      now: NOW,
      facts: storeFacts(history),
      globalCollectors: Object.values(COLLECTORS)
        .filter((c) => c.global)
        .map((c) => c.name),
    }),
  );
  const result = evaluation.value;
  const findings = Object.values(result.findingSummary).reduce((a, b) => a + b, 0);
  console.log(`evaluated ${fmt(findings)} findings: ${JSON.stringify(result.findingSummary)}`);

  const rendered: { format: string; file: string; ms: number; bytes: number }[] = [];
  const files = new Map<string, string>();
  for (const format of REPORT_FORMATS) {
    const render = timed(() => renderReports(result, history, [format]));
    for (const [file, content] of render.value) {
      files.set(file, content);
      rendered.push({ format, file, ms: render.ms, bytes: Buffer.byteLength(content) });
    }
  }
  const renderMs = rendered.reduce((a, r) => a + r.ms, 0);
  const peak = peakRssMiB();

  console.log(`\nReport benchmark: ${fmt(resources)} resources, ${fmt(findings)} findings, ${catalog.items.length} items`);
  console.log(`  ${'step'.padEnd(22)} ${'ms'.padStart(8)} ${'size'.padStart(12)}`);
  console.log(`  ${'evaluate'.padEnd(22)} ${fmt(evaluation.ms).padStart(8)}`);
  for (const r of rendered)
    console.log(
      `  ${`render ${r.file}`.padEnd(22)} ${fmt(r.ms).padStart(8)} ${`${(r.bytes / MiB).toFixed(2)} MiB`.padStart(12)}`,
    );
  console.log(`  ${'total'.padEnd(22)} ${fmt(evaluation.ms + renderMs).padStart(8)}`);
  console.log(`peak RSS ${fmt(peak)} MiB (${fmt(rssBefore)} MiB after building the evidence)`);

  const html = rendered.find((r) => r.format === 'html');
  const misses = [
    evaluation.ms + renderMs > 5_000 ? 'evaluation + renderers over 5 s' : undefined,
    peak > 1024 ? 'peak RSS over 1 GiB' : undefined,
    html && html.bytes > 5 * MiB ? 'report.html over 5 MiB' : undefined,
  ].filter((m): m is string => m !== undefined);
  console.log(misses.length === 0 ? 'targets met' : `targets missed: ${misses.join('; ')}`);

  if (values.out) {
    await mkdir(values.out, { recursive: true });
    for (const [file, content] of files) await writeFile(join(values.out, file), content);
    console.log(`wrote ${files.size} files to ${values.out}`);
  }
  if (misses.length > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
