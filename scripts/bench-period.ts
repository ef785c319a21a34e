/**
 * Benchmark of `soc2-ml period` (issue 17): writes a synthetic year for the reference account
 * into a local store (scripts/bench-period-store.ts: four full snapshots a day per collector and
 * region, 300 change events a day, key-rotation drifts planted at known times, one two-day kms
 * collection gap), then reconstructs a 12-month and a 1-month window, each in its own process,
 * and prints reconstruction time, peak RSS, evidence bytes read and LIST calls, and whether
 * every planted drift came back as exactly that FAIL interval.
 *
 * Usage: npm run bench:period -- [--days 365] [--events-per-day 300] [--store DIR (kept; reused when it exists)]
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parseConfig } from '../lambdas/config/schema';
import { LocalDirectoryStore } from '../lambdas/evidence/local-store';
import { producePeriod } from '../lambdas/period/produce';
import { parseWindow } from '../lambdas/period/reconstruct';
import { type PlantedDrift, writeSyntheticYear } from './bench-period-store';

const MiB = 1024 * 1024;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const YEAR_START = '2026-01-01';

interface WindowRun {
  from: string;
  to: string;
  seconds: number;
  cpuSeconds: number;
  peakRssMiB: number;
  listCalls: number;
  objectsRead: number;
  bytesRead: number;
  recordsInWindow: number;
  recordsBefore: number;
  otherDatesRead: string[];
  driftsFound: number;
  driftsExpected: number;
}

/** Child process: one reconstruction, measured alone. */
async function reconstructOnly(storeDir: string, from: string, to: string, driftsFile: string): Promise<void> {
  const store = await LocalDirectoryStore.openReadOnly(storeDir);
  const keysRead: string[] = [];
  const watched = {
    ...store,
    location: store.location,
    get: (key: string) => {
      keysRead.push(key);
      return store.get(key);
    },
  };
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const { result } = await producePeriod(watched, {
    window: parseWindow(from, to),
    config: parseConfig({}),
    now: new Date(),
    sampleSize: 25,
    seed: 17,
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const dateOf = (key: string) => /\/date=(\d{4}-\d{2}-\d{2})\//.exec(key)?.[1];
  const records = keysRead.filter((k) => k.startsWith('evidence/v1/collector='));
  const inWindow = records.filter((k) => dateOf(k)! >= from && dateOf(k)! <= to);
  const drifts = (JSON.parse(await readFile(driftsFile, 'utf8')) as PlantedDrift[]).filter(
    (d) => d.from.slice(0, 10) >= from && d.to.slice(0, 10) <= to,
  );
  const found = drifts.filter((drift) =>
    result.checks
      .find((c) => c.check === 'kms.rotation_enabled' && c.resource === drift.keyArn)
      ?.intervals.some(
        (i) => i.status === 'FAIL' && i.from === drift.from && i.to === drift.to && i.cause?.eventId === drift.disableEventId,
      ),
  );
  const run: WindowRun = {
    from,
    to,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    listCalls: result.reads.listCalls,
    objectsRead: result.reads.objectsRead,
    bytesRead: result.reads.bytesRead,
    recordsInWindow: inWindow.length,
    recordsBefore: records.length - inWindow.length,
    otherDatesRead: [...new Set(records.filter((k) => !inWindow.includes(k)).map((k) => dateOf(k)!))].sort(),
    driftsFound: found.length,
    driftsExpected: drifts.length,
  };
  process.stdout.write(`${JSON.stringify(run)}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      days: { type: 'string', default: '365' },
      'events-per-day': { type: 'string', default: '300' },
      store: { type: 'string' },
      'reconstruct-only': { type: 'string', multiple: true },
    },
  });
  if (values['reconstruct-only']) {
    const [storeDir, from, to, driftsFile] = values['reconstruct-only'] as [string, string, string, string];
    await reconstructOnly(storeDir, from, to, driftsFile);
    return;
  }
  const days = Number(values.days);
  const scratch = values.store ? undefined : await mkdtemp(join(tmpdir(), 'soc2-bench-period-'));
  const storeDir = values.store ?? join(scratch!, 'evidence');
  const driftsFile = join(storeDir, '..', `${storeDir.split('/').pop()}-drifts.json`);
  try {
    if (!existsSync(driftsFile)) {
      const started = performance.now();
      const written = await writeSyntheticYear(await LocalDirectoryStore.open(storeDir), {
        start: YEAR_START,
        days,
        eventsPerDay: Number(values['events-per-day']),
        resources: 1000,
        driftDays: [20, 75, 140, 200, 260, 330].filter((d) => d + 3 < days),
        kmsGapDays: [170, 171].filter((d) => d < days),
      });
      await writeFile(driftsFile, JSON.stringify(written.drifts));
      console.log(
        `wrote ${fmt(written.records)} records and ${fmt(written.changeEvents)} change events for ${days} days into ${storeDir} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    }
    const last = new Date(Date.parse(`${YEAR_START}T00:00:00Z`) + (days - 1) * 86_400_000).toISOString().slice(0, 10);
    const month = days >= 181 ? ['2026-06-01', '2026-06-30'] : [YEAR_START, last];
    for (const [from, to] of [[YEAR_START, last], month] as [string, string][]) {
      const output = execFileSync(
        process.execPath,
        [
          ...process.execArgv,
          __filename,
          '--reconstruct-only',
          storeDir,
          '--reconstruct-only',
          from,
          '--reconstruct-only',
          to,
          '--reconstruct-only',
          driftsFile,
        ],
        { encoding: 'utf8', maxBuffer: 64 * MiB },
      );
      const run = JSON.parse(output.trim().split('\n').pop()!) as WindowRun;
      console.log(`\nwindow ${run.from} .. ${run.to}`);
      console.log(
        `  reconstruction time   ${run.seconds.toFixed(1)} s (CPU ${run.cpuSeconds.toFixed(1)} s; load average ${loadavg()[0]!.toFixed(1)})`,
      );
      console.log(`  peak RSS              ${fmt(run.peakRssMiB)} MiB`);
      console.log(`  evidence bytes read   ${fmt(run.bytesRead / MiB)} MiB in ${fmt(run.objectsRead)} objects`);
      console.log(`  LIST calls            ${fmt(run.listCalls)}`);
      console.log(
        `  records read          ${fmt(run.recordsInWindow)} in the window, ${fmt(run.recordsBefore)} before it (days ${run.otherDatesRead.join(', ') || 'none'})`,
      );
      console.log(`  planted drifts found  ${run.driftsFound} of ${run.driftsExpected} (exact FAIL interval, cause event)`);
    }
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
