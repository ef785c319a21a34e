import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { errorMessage } from '../aws/errors';
import { loadCatalog } from '../catalog/catalog';
import type { EvidenceStore } from '../evidence/store';
import {
  AttestInputError,
  type AttestResult,
  attest,
  listManualEvidence,
  resolveItemId,
  resolveUploader,
  UnknownItemError,
} from '../integrity/attest';
import { dropInInbox, InboxTagError } from '../integrity/inbox';
import { manualDueAt } from '../report/evaluate';
import { type AwsOptions, clientFactory, homeRegion, loadConfig, openStore, type StoreOptions } from './environment';
import { UsageError } from './errors';
import { type CliOutput, formatTable } from './output';

export interface AttestOptions extends StoreOptions, AwsOptions {
  expiresIn?: string;
  config?: string;
  note?: string;
  attestedBy?: string;
  list?: boolean;
  inbox?: boolean;
}

/** Longest validity of manual evidence; beyond it a date would also leave what Date can hold. */
const MAX_EXPIRES_IN_DAYS = 3650;
const DAY_MS = 86_400_000;

/**
 * `soc2-ml attest ITEM-ID FILE...`: stores manual evidence for a checklist item, one object per
 * file; `soc2-ml attest --list [ITEM-ID]` lists what is stored.
 */
export async function attestCommand(options: AttestOptions, out: CliOutput, args: string[]): Promise<number> {
  const config = await loadConfig(options.config);
  const clients = clientFactory(options, config, homeRegion(options, config));
  if (options.list) {
    if (args.length > 1) throw new UsageError('attest --list takes at most one ITEM-ID and no files');
    return listCommand(await openStore(options, clients, config), out, args[0]);
  }
  const [itemId, ...files] = args;
  if (!itemId || files.length === 0) throw new UsageError('attest needs ITEM-ID and at least one FILE (or --list)');
  const names = files.map((file) => basename(file));
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated) throw new UsageError(`${repeated}: given twice; each file is stored under its own name`);
  const contents = await Promise.all(
    files.map(async (file) => {
      try {
        return new Uint8Array(await readFile(file));
      } catch (err) {
        throw new UsageError(`${file}: cannot read: ${errorMessage(err)}`);
      }
    }),
  );
  let expiresInDays: number | undefined;
  if (options.expiresIn !== undefined) {
    expiresInDays = Number(options.expiresIn);
    if (!Number.isInteger(expiresInDays) || expiresInDays <= 0 || expiresInDays > MAX_EXPIRES_IN_DAYS)
      throw new UsageError(
        `--expires-in ${options.expiresIn}: must be a whole number of days from 1 to ${MAX_EXPIRES_IN_DAYS} (manual evidence is renewed at least every 10 years)`,
      );
  }
  if (options.attestedBy !== undefined && options.attestedBy.trim() === '') throw new UsageError('--attested-by: give a name');
  if (options.inbox) {
    if (!options.bucket) throw new UsageError('--inbox needs --bucket: the inbox is a folder of the deployed evidence bucket');
    return handIn({ ...options, bucket: options.bucket }, out, clients.s3(), itemId, names, contents, expiresInDays);
  }
  const store = await openStore(options, clients, config);
  const uploadedBy = await resolveUploader(options.bucket ? { sts: clients.sts() } : {});
  const knownItemIds = loadCatalog().items.map((item) => item.id);
  // One time for the whole batch: the files of one attestation sort together in the store.
  const now = new Date();
  const stored: AttestResult[] = [];
  try {
    for (const [index, bytes] of contents.entries()) {
      stored.push(
        await attest(store, {
          itemId,
          fileName: names[index]!,
          bytes,
          uploadedBy,
          ...(options.attestedBy ? { attestedBy: options.attestedBy } : {}),
          ...(options.note !== undefined ? { note: options.note } : {}),
          expiresInDays,
          now,
          knownItemIds,
        }),
      );
    }
  } catch (err) {
    if (err instanceof UnknownItemError || err instanceof AttestInputError) {
      const kept = stored.length > 0 ? ` (${stored.map((s) => s.fileName).join(', ')} already stored)` : '';
      throw new UsageError(`${err.message}${kept}`);
    }
    throw err;
  }
  out.json(stored.length === 1 ? stored[0] : stored);
  for (const entry of stored) {
    out.result(
      `stored ${entry.key} (sha256 ${entry.sha256}) for ${entry.itemId} by ${entry.attestedBy ?? entry.uploadedBy}` +
        (entry.attestedBy ? ` (uploaded by ${entry.uploadedBy})` : '') +
        (entry.expiresAt ? `, expires ${entry.expiresAt.slice(0, 10)}` : ''),
    );
  }
  return 0;
}

/** `attest --inbox`: the files go to inbox/<ITEM-ID>/ with their expiry and attester as tags, for the inbox Lambda. */
async function handIn(
  options: AttestOptions & { bucket: string },
  out: CliOutput,
  s3: S3Client,
  itemId: string,
  names: string[],
  contents: Uint8Array[],
  expiresInDays: number | undefined,
): Promise<number> {
  let resolved: string;
  try {
    resolved = resolveItemId(
      itemId,
      loadCatalog().items.map((item) => item.id),
    );
  } catch (err) {
    if (err instanceof UnknownItemError) throw new UsageError(err.message);
    throw err;
  }
  const empty = names.find((_, index) => contents[index]!.byteLength === 0);
  if (empty) throw new UsageError(`${empty} is empty: nothing to attest`);
  const dropped: { key: string; versionId?: string }[] = [];
  for (const [index, bytes] of contents.entries()) {
    try {
      dropped.push(
        await dropInInbox(s3, options.bucket, {
          itemId: resolved,
          fileName: names[index]!,
          bytes,
          ...(expiresInDays !== undefined ? { expiresInDays } : {}),
          ...(options.attestedBy ? { attestedBy: options.attestedBy.trim() } : {}),
          ...(options.note !== undefined ? { note: options.note.trim() } : {}),
        }),
      );
    } catch (err) {
      if (err instanceof InboxTagError) throw new UsageError(err.message);
      throw err;
    }
  }
  out.json(dropped);
  for (const drop of dropped)
    out.result(`handed in s3://${options.bucket}/${drop.key}; the inbox function takes it in as ${resolved} evidence`);
  return 0;
}

/** Every manual evidence object with its item, age and the date it stops counting. */
async function listCommand(store: EvidenceStore, out: CliOutput, itemFilter: string | undefined): Promise<number> {
  const catalog = loadCatalog();
  const freshness = new Map(catalog.items.map((item) => [item.id, item.manualEvidence?.freshnessDays]));
  if (itemFilter !== undefined && !freshness.has(itemFilter.toUpperCase()))
    throw new UsageError(`unknown checklist item "${itemFilter}"`);
  const now = Date.now();
  const rows = (await listManualEvidence(store))
    .filter((entry) => itemFilter === undefined || entry.itemId === itemFilter.toUpperCase())
    .map((entry) => {
      const days = freshness.get(entry.itemId);
      const dueAt = days !== undefined ? manualDueAt(entry, days) : entry.expiresAt;
      return {
        ...entry,
        ageDays: Math.floor((now - Date.parse(entry.uploadedAt)) / DAY_MS),
        ...(dueAt ? { dueAt, fresh: now < Date.parse(dueAt) } : {}),
      };
    });
  out.json(rows);
  if (rows.length === 0) {
    out.result(`no manual evidence in ${store.location}${itemFilter ? ` for ${itemFilter.toUpperCase()}` : ''}`);
    return 0;
  }
  out.result(
    formatTable(
      ['item', 'file', 'attested by', 'uploaded', 'age (days)', 'expires', 'state'],
      rows.map((row) => [
        row.itemId,
        row.fileName,
        row.attestedBy ?? row.uploadedBy,
        row.uploadedAt.slice(0, 10),
        row.ageDays,
        row.dueAt?.slice(0, 10) ?? 'never',
        row.fresh === undefined ? 'no expiry' : row.fresh ? 'fresh' : 'expired',
      ]),
    ),
  );
  return 0;
}
