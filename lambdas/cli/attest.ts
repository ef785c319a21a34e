import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { errorMessage } from '../aws/errors';
import { loadCatalog } from '../catalog/catalog';
import { AttestInputError, attest, resolveUploader, UnknownItemError } from '../integrity/attest';
import { type AwsOptions, clientFactory, homeRegion, loadConfig, openStore, type StoreOptions } from './environment';
import { UsageError } from './errors';
import type { CliOutput } from './output';

export interface AttestOptions extends StoreOptions, AwsOptions {
  expiresIn?: string;
  config?: string;
}

/** Longest validity of manual evidence; beyond it a date would also leave what Date can hold. */
const MAX_EXPIRES_IN_DAYS = 3650;

/** `soc2-ml attest ITEM-ID FILE`: stores manual evidence for a checklist item. */
export async function attestCommand(options: AttestOptions, out: CliOutput, args: string[]): Promise<number> {
  const [itemId, file] = args;
  if (!itemId || !file) throw new UsageError('attest needs ITEM-ID and FILE');
  const config = await loadConfig(options.config);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (err) {
    throw new UsageError(`${file}: cannot read: ${errorMessage(err)}`);
  }
  let expiresInDays: number | undefined;
  if (options.expiresIn !== undefined) {
    expiresInDays = Number(options.expiresIn);
    if (!Number.isInteger(expiresInDays) || expiresInDays <= 0 || expiresInDays > MAX_EXPIRES_IN_DAYS)
      throw new UsageError(
        `--expires-in ${options.expiresIn}: must be a whole number of days from 1 to ${MAX_EXPIRES_IN_DAYS} (manual evidence is renewed at least every 10 years)`,
      );
  }
  const clients = clientFactory(options, config, homeRegion(options, config));
  const store = await openStore(options, clients, config);
  const uploadedBy = await resolveUploader(options.bucket ? { sts: clients.sts() } : {});
  try {
    const stored = await attest(store, {
      itemId,
      fileName: basename(file),
      bytes,
      uploadedBy,
      expiresInDays,
      now: new Date(),
      knownItemIds: loadCatalog().items.map((item) => item.id),
    });
    out.json(stored);
    out.result(
      `stored ${stored.key} (sha256 ${stored.sha256}) for ${stored.itemId} by ${stored.uploadedBy}` +
        (stored.expiresAt ? `, expires ${stored.expiresAt.slice(0, 10)}` : ''),
    );
    return 0;
  } catch (err) {
    if (err instanceof UnknownItemError || err instanceof AttestInputError) throw new UsageError(err.message);
    throw err;
  }
}
