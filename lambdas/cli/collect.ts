import type { AwsClientFactory } from '../aws/clients';
import { availableCollectors, COLLECTORS } from '../collectors/registry';
import type { Collector } from '../collectors/types';
import { COLLECTOR_NAMES, type CollectionError, type CollectorName, GLOBAL_REGION } from '../evidence/record';
import { collectInto, collectionRegions } from '../flows/collect';
import { openMemberAccount, partitionOf, sessionNameFor } from '../organization/member-account';
import {
  type AwsOptions,
  clientFactory,
  homeRegion,
  loadConfig,
  openStore,
  parseList,
  requireLockedBucket,
  requireRegions,
  resolveAccount,
  type StoreOptions,
} from './environment';
import { UsageError } from './errors';
import { type CliOutput, formatTable } from './output';

export interface CollectOptions extends StoreOptions, AwsOptions {
  collectors?: string;
  regions?: string;
  lookbackDays?: string;
  config?: string;
  /** Member accounts to collect through --role-name, instead of the credentials' own account. */
  accounts?: string;
  roleName?: string;
  externalId?: string;
  /** Exit 0 even when collectors recorded failed calls (they are still in the evidence, and checks report ERROR). */
  allowErrors?: boolean;
}

export interface CollectRunSummary {
  account: string;
  collector: CollectorName;
  region: string;
  resources: number;
  errors: number;
  calls: number;
  seconds: number;
  key: string;
  sha256: string;
}

export function selectCollectors(list: string | undefined): Collector[] {
  const names = parseList(list) ?? [...COLLECTOR_NAMES];
  const valid = availableCollectors();
  const unknown = names.filter((n) => !valid.includes(n as CollectorName));
  if (unknown.length > 0 || names.length === 0) {
    throw new UsageError(
      `unknown collector ${unknown.map((n) => `"${n}"`).join(', ') || '(none given)'}; valid: ${valid.join(', ')}`,
    );
  }
  return [...new Set(names)].map((n) => COLLECTORS[n as CollectorName]!);
}

/** --accounts with --role-name: the member accounts to collect; undefined for the credentials' own account. */
export function memberAccountsOption(
  options: Pick<CollectOptions, 'accounts' | 'roleName' | 'externalId'>,
): string[] | undefined {
  const accounts = parseList(options.accounts);
  if (accounts === undefined) {
    if (options.roleName !== undefined || options.externalId !== undefined)
      throw new UsageError('--role-name and --external-id need --accounts');
    return undefined;
  }
  if (options.roleName === undefined) throw new UsageError('--accounts needs --role-name: the role to assume in each account');
  const invalid = accounts.filter((a) => !/^\d{12}$/.test(a));
  if (accounts.length === 0 || invalid.length > 0)
    throw new UsageError(`--accounts: give 12-digit account ids${invalid.length > 0 ? `, not ${invalid.join(', ')}` : ''}`);
  return [...new Set(accounts)];
}

/** An account to collect: its clients, or why they could not be had. */
type AccountAccess = { account: string } & ({ clients: AwsClientFactory } | { error: CollectionError });

/** `soc2-ml collect`: one evidence record per collector, account and region. */
export async function collectCommand(options: CollectOptions, out: CliOutput): Promise<number> {
  const config = await loadConfig(options.config);
  const collectors = selectCollectors(options.collectors);
  const regions = parseList(options.regions) ?? config.regions;
  if (regions.length === 0) throw new UsageError('--regions: give at least one region');
  requireRegions('--regions', regions);
  if (options.lookbackDays !== undefined) {
    const days = Number(options.lookbackDays);
    if (!Number.isInteger(days) || days <= 0)
      throw new UsageError(`--lookback-days ${options.lookbackDays}: must be a positive integer`);
    config.collection.lookbackDays = days;
  }
  const memberAccounts = memberAccountsOption(options);
  const region = homeRegion(options, config);
  const clients = clientFactory(options, config, region);
  const identity = await resolveAccount(clients);
  const store = await openStore(options, clients, config);
  await requireLockedBucket(options, clients, identity.account, config);
  const access: AccountAccess[] = [];
  if (memberAccounts === undefined) access.push({ account: identity.account, clients });
  for (const account of memberAccounts ?? []) {
    const member = await openMemberAccount(clients, account, {
      roleName: options.roleName!,
      ...(options.externalId ? { externalId: options.externalId } : {}),
      partition: partitionOf(identity.arn),
      sessionName: sessionNameFor('cli'),
    });
    access.push(member.ok ? { account, clients: member.clients } : { account, error: member.error });
    if (!member.ok) out.progress(`account ${account}: ${member.error.code}: ${member.error.message} (recorded as errors)`);
  }
  out.progress(`collecting account ${access.map((a) => a.account).join(', ')} into ${store.location}`);

  const summaries: CollectRunSummary[] = [];
  const failedCalls: CollectionError[] = [];
  const targets = access.flatMap((account) =>
    collectors.flatMap((collector) =>
      collectionRegions(collector, regions, region).map((target) => ({ account, collector, target })),
    ),
  );
  const steps = out.steps(targets.length);
  try {
    for (const { account, collector, target } of targets) {
      const label = `${memberAccounts ? `${account.account} ` : ''}${collector.name} ${collector.global ? GLOBAL_REGION : target}`;
      steps.start(label);
      const started = Date.now();
      const run = await collectInto(store, {
        collector,
        account: account.account,
        region: target,
        clients: ('clients' in account ? account.clients : clients).forRun(),
        clock: () => new Date(),
        settings: config.collection,
        progress: (line: string) => steps.note(line),
        trigger: { type: 'cli', user: identity.arn },
        ...('error' in account ? { unreachable: account.error } : {}),
      });
      const summary: CollectRunSummary = {
        account: account.account,
        collector: collector.name,
        region: run.record.region,
        resources: run.record.resources.length,
        errors: run.record.errors.length,
        calls: run.record.calls,
        seconds: (Date.now() - started) / 1000,
        key: run.stored.key,
        sha256: run.stored.sha256,
      };
      summaries.push(summary);
      failedCalls.push(...run.record.errors);
      steps.done(
        label,
        `${summary.resources} resources, ${summary.errors} errors, ${summary.calls} calls in ${summary.seconds.toFixed(1)} s`,
      );
      for (const error of run.record.errors.slice(0, 5)) {
        steps.note(`error: ${error.api}${error.resource ? ` ${error.resource}` : ''}: ${error.code}`);
      }
      if (run.record.errors.length > 5) steps.note(`... and ${run.record.errors.length - 5} more errors in the evidence record`);
    }
  } finally {
    steps.stop();
  }

  out.json({ account: identity.account, store: store.location, runs: summaries });
  const columns = ['collector', 'region', 'resources', 'errors', 'calls', 'seconds', 'evidence'];
  const row = (s: CollectRunSummary) => [s.collector, s.region, s.resources, s.errors, s.calls, s.seconds.toFixed(1), s.key];
  out.result(
    memberAccounts
      ? formatTable(
          ['account', ...columns],
          summaries.map((s) => [s.account, ...row(s)]),
        )
      : formatTable(columns, summaries.map(row)),
  );
  const totalErrors = summaries.reduce((n, s) => n + s.errors, 0);
  out.result(
    `\n${summaries.reduce((n, s) => n + s.resources, 0)} resources, ${summaries.reduce((n, s) => n + s.calls, 0)} calls, ` +
      `${totalErrors} errors${totalErrors > 0 ? ' (recorded in the evidence; affected checks will report ERROR)' : ''}; evidence in ${store.location}`,
  );
  if (failedCalls.length === 0 || options.allowErrors) return 0;
  out.error(`soc2-ml: ${failedCallSummary(failedCalls)}; the evidence records them. Pass --allow-errors to exit 0 all the same.`);
  return 1;
}

/** "3 calls failed: sagemaker:ListFeatureGroups (HTTP500), ..." with the most frequent first. */
export function failedCallSummary(errors: CollectionError[], shown = 5): string {
  const counts = new Map<string, number>();
  for (const e of errors) counts.set(`${e.api} (${e.code})`, (counts.get(`${e.api} (${e.code})`) ?? 0) + 1);
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const listed = ranked.slice(0, shown).map(([what, n]) => (n > 1 ? `${what} x${n}` : what));
  const rest = ranked.length > shown ? `, and ${ranked.length - shown} more kinds` : '';
  return `${errors.length} call${errors.length === 1 ? '' : 's'} failed: ${listed.join(', ')}${rest}`;
}
