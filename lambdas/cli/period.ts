import { randomInt } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { errorMessage } from '../aws/errors';
import { DEFAULT_SAMPLE_SIZE, producePeriod, renderPeriodFiles } from '../period/produce';
import { PeriodInputError, parseWindow } from '../period/reconstruct';
import { ITEM_PERIOD_STATUSES } from '../period/types';
import { type AwsOptions, clientFactory, homeRegion, loadConfig, openStore, type StoreOptions } from './environment';
import { UsageError } from './errors';
import { type CliOutput, formatTable } from './output';
import { openReadOnly } from './verify';

export interface PeriodOptions extends StoreOptions, AwsOptions {
  from?: string;
  to?: string;
  out?: string;
  config?: string;
  sample?: string;
  seed?: string;
}

export const DEFAULT_PERIOD_DIR = './soc2-period';
const MAX_SEED = 2 ** 32 - 1;

function wholeNumber(flag: string, value: string, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n > max)
    throw new UsageError(`${flag} ${value}: must be a whole number from 0 to ${max}`);
  return n;
}

/**
 * `soc2-ml period`: reconstruct the audit window from the evidence (read-only) and write
 * period.json, period.html, period.csv, period.oscal.json and populations/<name>.csv.
 */
export async function periodCommand(options: PeriodOptions, out: CliOutput): Promise<number> {
  let window: ReturnType<typeof parseWindow>;
  try {
    window = parseWindow(options.from, options.to);
  } catch (err) {
    if (err instanceof PeriodInputError) throw new UsageError(err.message);
    throw err;
  }
  const sampleSize = options.sample === undefined ? DEFAULT_SAMPLE_SIZE : wholeNumber('--sample', options.sample, 1_000_000);
  // Without --seed, a fresh one: printed and written into period.json so the sample can be re-drawn.
  const seed = options.seed === undefined ? randomInt(MAX_SEED) : wholeNumber('--seed', options.seed, MAX_SEED);
  const config = await loadConfig(options.config);
  const clients = clientFactory(options, config, homeRegion(options, config));
  const store = await openReadOnly(options, () => openStore(options, clients, config));
  const outDir = resolve(options.out ?? DEFAULT_PERIOD_DIR);

  let produced: Awaited<ReturnType<typeof producePeriod>>;
  try {
    produced = await producePeriod(store, {
      window,
      config,
      now: new Date(),
      sampleSize,
      seed,
      onProgress: (message) => out.progress(message),
    });
  } catch (err) {
    if (err instanceof PeriodInputError) throw new UsageError(err.message);
    throw err;
  }
  const files = renderPeriodFiles(produced);
  try {
    for (const [name, content] of files) {
      const path = join(outDir, name);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, content);
    }
  } catch (err) {
    throw new UsageError(`--out ${outDir}: cannot write: ${errorMessage(err)}`);
  }

  const { result } = produced;
  for (const problem of result.problems) out.error(`soc2-ml: ${problem}`);
  out.json({
    outDir,
    from: result.from,
    to: result.to,
    seed,
    items: result.items.map(({ id, status, compliantShare }) => ({ id, status, compliantShare })),
    populations: result.populations.map(({ name, size, file, sample }) => ({ name, size, file: join(outDir, file), sample })),
    reads: result.reads,
    files: [...files.keys()].map((name) => join(outDir, name)),
  });
  out.result(
    formatTable(
      ['status over the window', 'items'],
      ITEM_PERIOD_STATUSES.map((s) => [s, result.items.filter((i) => i.status === s).length]),
      { colour: out.colour },
    ),
  );
  out.result(
    formatTable(
      ['population', 'rows', 'sampled'],
      result.populations.map((p) => [p.name, p.size, p.sample.size]),
      { colour: out.colour },
    ),
  );
  out.result(`\nsample seed ${seed} (re-draw the same rows with --seed ${seed})`);
  out.result(`period report written to ${join(outDir, 'period.html')}`);
  return 0;
}
