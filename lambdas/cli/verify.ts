import { createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { errorMessage } from '../aws/errors';
import { LocalDirectoryStore } from '../evidence/local-store';
import { type EvidenceStore, readOnlyStore, StoreUnavailableError } from '../evidence/store';
import { coverageLine, verifyStore } from '../integrity/verify';
import {
  type AwsOptions,
  clientFactory,
  DEFAULT_STORE_DIR,
  homeRegion,
  loadConfig,
  openStore,
  type StoreOptions,
} from './environment';
import { UsageError } from './errors';
import type { CliOutput } from './output';

export interface VerifyOptions extends StoreOptions, AwsOptions {
  publicKey?: string[];
  config?: string;
}

/** Objects waiting for a seal named one per line, up to this many; --json lists every one. */
const WAITING_LINES = 20;

/**
 * `soc2-ml verify`: one line per problem, exit 1 on any, then the objects still waiting for a
 * seal and the coverage line. The store is opened read-only: an existing directory (never
 * created) or bucket, and nothing is ever written to it.
 */
export async function verifyCommand(options: VerifyOptions, out: CliOutput): Promise<number> {
  const config = await loadConfig(options.config);
  const clients = clientFactory(options, config, homeRegion(options, config));
  const store = await openReadOnly(options, () => openStore(options, clients, config));
  const publicKeys = await Promise.all(
    (options.publicKey ?? []).map(async (file) => {
      let pem: string;
      try {
        pem = await readFile(file, 'utf8');
      } catch (err) {
        throw new UsageError(`--public-key ${file}: cannot read: ${errorMessage(err)}`);
      }
      try {
        createPublicKey(pem);
      } catch (err) {
        throw new UsageError(`--public-key ${file}: not a PEM public key (${errorMessage(err)})`);
      }
      return pem;
    }),
  );
  out.progress(`verifying ${store.location}...`);
  const result = await verifyStore(store, {
    now: new Date(),
    period: config.evidence.digestPeriod,
    ...(publicKeys.length > 0 ? { publicKeys } : {}),
  });
  const { summary, problems } = result;
  out.json(result);
  for (const problem of problems) out.result(`${problem.kind}: ${problem.message}`);
  for (const key of summary.unsealed.keys.slice(0, WAITING_LINES)) out.result(`waiting for a seal: ${key}`);
  if (summary.unsealed.objects > WAITING_LINES)
    out.result(`waiting for a seal: ${summary.unsealed.objects - WAITING_LINES} more (--json lists every one)`);
  const trust = summary.trustedKeys.some((k) => k.source === 'store')
    ? ' (public keys read from the store; pass --public-key for an independent check)'
    : '';
  out.result(`${coverageLine(result)}${trust}`);
  return problems.length === 0 ? 0 : 1;
}

/** --store DIR must already exist (a typo is exit 2, not a new empty store that verifies clean); `period` reads the same way. */
export async function openReadOnly(options: StoreOptions, openBucket: () => Promise<EvidenceStore>): Promise<EvidenceStore> {
  if (options.bucket) return readOnlyStore(await openBucket());
  try {
    return await LocalDirectoryStore.openReadOnly(options.store ?? DEFAULT_STORE_DIR);
  } catch (err) {
    if (err instanceof StoreUnavailableError) throw new UsageError(err.message);
    throw err;
  }
}
