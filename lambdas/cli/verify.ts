import { readFile } from 'node:fs/promises';
import { errorMessage } from '../aws/errors';
import { verifyStore } from '../integrity/verify';
import { type AwsOptions, clientFactory, homeRegion, loadConfig, openStore, type StoreOptions } from './environment';
import { UsageError } from './errors';
import type { CliOutput } from './output';

export interface VerifyOptions extends StoreOptions, AwsOptions {
  publicKey?: string[];
  config?: string;
}

/** `soc2-ml verify`: one line per problem, exit 1 on any, a summary when clean. */
export async function verifyCommand(options: VerifyOptions, out: CliOutput): Promise<number> {
  const config = await loadConfig(options.config);
  const clients = clientFactory(options, config, homeRegion(options, config));
  const store = await openStore(options, clients, config);
  const publicKeys = await Promise.all(
    (options.publicKey ?? []).map(async (file) => {
      try {
        return await readFile(file, 'utf8');
      } catch (err) {
        throw new UsageError(`--public-key ${file}: cannot read: ${errorMessage(err)}`);
      }
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
  const trust = summary.trustedKeys.some((k) => k.source === 'store')
    ? ' (public keys read from the store; pass --public-key for an independent check)'
    : '';
  out.result(
    `${problems.length === 0 ? 'OK' : `${problems.length} problem(s)`}: ${summary.digests} digests, ` +
      `${summary.objectsChecked} objects, ${summary.bytesChecked} bytes checked in ${(summary.durationMs / 1000).toFixed(1)} s${trust}`,
  );
  return problems.length === 0 ? 0 : 1;
}
