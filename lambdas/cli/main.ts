import { Command, CommanderError, Option } from 'commander';
import { ZodError } from 'zod';
import { COLLECTOR_NAMES } from '../evidence/record';
import { TOOL_VERSION } from '../version';
import { attestCommand } from './attest';
import { collectCommand } from './collect';
import { DEFAULT_DEMO_DIR, demoCommand } from './demo';
import { EXIT, escapeControl, oneLine, UsageError } from './errors';
import { eventCommand } from './event';
import { type CliOutput, createOutput, type OutputOptions } from './output';
import { periodCommand } from './period';
import { reportCommand } from './report';
import { DEFAULT_TEMPLATES_DIR, templatesCommand } from './templates';
import { verifyCommand } from './verify';

interface GlobalOptions {
  endpointUrl?: string;
  region?: string;
  quiet?: boolean;
  json?: boolean;
  debug?: boolean;
}

/**
 * Runs the CLI in-process and returns the exit status (tests call this directly).
 * Usage problems print one line and return 2; an unexpected failure prints one line and
 * returns 3, with its stack trace only under --debug (or SOC2_ML_DEBUG).
 */
export async function runCli(argv: string[], io: Pick<OutputOptions, 'stdout' | 'stderr'> = {}): Promise<number> {
  let status: number = EXIT.ok;
  const stderr = io.stderr ?? ((t: string) => process.stderr.write(t));
  const program = new Command('soc2-ml')
    .description('Continuous, tamper-evident SOC 2 evidence for ML workloads on AWS')
    .version(TOOL_VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout ?? ((t) => process.stdout.write(t)),
      writeErr: stderr,
      // Commander quotes the offending argument, which may carry terminal escapes.
      outputError: (text, write) => write(escapeControl(text)),
    })
    .addOption(new Option('--endpoint-url <url>', 'send every AWS call to this endpoint (an emulator); path-style S3'))
    .addOption(
      new Option('--region <region>', 'home region for global calls (default: AWS_REGION, then the first configured region)'),
    )
    .option('-q, --quiet', 'no progress output')
    .option('--json', 'print the result as JSON on stdout (implies --quiet)')
    .option('--debug', 'on an unexpected failure, print its details (stack trace) after the one-line message')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Exit status: 0 done; 1 a problem found (tampering, --fail-on matched, failed AWS calls in collect
unless --allow-errors); 2 bad usage or configuration (one line); 3 an unexpected failure (one line,
details with --debug).`,
    );

  const outputFor = (command: Command): CliOutput => {
    const globals = command.optsWithGlobals<GlobalOptions>();
    return createOutput({ quiet: globals.quiet, json: globals.json, ...io });
  };
  const action =
    <O extends object>(fn: (options: O & GlobalOptions, out: CliOutput, args: string[]) => Promise<number>) =>
    async (...params: unknown[]) => {
      const command = params[params.length - 1] as Command;
      const options = command.optsWithGlobals<O & GlobalOptions>();
      status = await fn(options, outputFor(command), command.args);
    };

  program
    .command('collect')
    .description('run the collectors and write one evidence record per collector, account and region')
    .option('--collectors <list>', `comma-separated: ${COLLECTOR_NAMES.join(',')} (default: all)`)
    .option('--regions <list>', 'comma-separated regions for the regional collectors (default: config regions)')
    .option('--store <dir>', 'local evidence directory (default: ./soc2-evidence)')
    .option('--bucket <name>', 'evidence bucket instead of a local directory')
    .option('--lookback-days <n>', 'SageMaker and Bedrock job history window in days (default: 90)')
    .option('--config <file>', 'JSON configuration, same schema as the CDK context')
    .option('--accounts <list>', 'comma-separated member account ids, each collected through --role-name')
    .option('--role-name <name>', 'role to assume in each of --accounts (the standard credential chain assumes it)')
    .option('--external-id <id>', 'external ID the member role requires')
    .option('--allow-errors', 'exit 0 even when calls failed (they are recorded in the evidence either way)')
    .addHelpText(
      'after',
      `
Examples:
  soc2-ml collect
  soc2-ml collect --accounts 111111111111,222222222222 --role-name soc2-ml-evidence-collector --external-id acme-soc2
  soc2-ml collect --collectors s3,iam --store ./evidence
  soc2-ml collect --endpoint-url http://127.0.0.1:5000 --regions us-east-1,eu-west-1`,
    )
    .action(action(collectCommand));

  program
    .command('report')
    .description('evaluate the latest evidence and write report.json, report.html, report.md, report.csv')
    .option('--store <dir>', 'local evidence directory (default: ./soc2-evidence)')
    .option('--bucket <name>', 'evidence bucket instead of a local directory')
    .option('--out <dir>', 'where to write the report files (default: ./soc2-report)')
    .option('--format <list>', 'comma-separated: json,html,md,csv,oscal (default: json,html,md,csv)')
    .option('--config <file>', 'JSON configuration, same schema as the CDK context')
    .option('--fail-on <statuses>', 'exit 1 when any item has one of these statuses, e.g. FAIL or FAIL,ERROR')
    .addHelpText(
      'after',
      `
Examples:
  soc2-ml report
  soc2-ml report --format json,html,oscal --out ./audit-2026-q4
  soc2-ml report --fail-on FAIL,ERROR     # in a CI pipeline`,
    )
    .action(action(reportCommand));

  program
    .command('event')
    .description(
      'handle one CloudTrail change event like the deployed path: re-collect, record it, re-evaluate, alert on status changes',
    )
    .argument('<file>', 'an EventBridge "AWS API Call via CloudTrail" event (JSON)')
    .option('--store <dir>', 'local evidence directory (default: ./soc2-evidence)')
    .option('--bucket <name>', 'evidence bucket instead of a local directory')
    .option('--config <file>', 'JSON configuration, same schema as the CDK context')
    .option('--slack-webhook-url <url>', 'post status changes here (default: config slack.webhookUrl; none: print them)')
    .addHelpText(
      'after',
      `
The alert state lives in the store (state/v1/finding-status.json). \`report\` updates it too:
its first run sets every finding's baseline; it posts only with slack.webhookUrl in --config.

Examples:
  soc2-ml event disable-key-rotation.json
  soc2-ml event event.json --bucket my-evidence-bucket --slack-webhook-url https://hooks.slack.com/services/...`,
    )
    .action(action(eventCommand));

  program
    .command('verify')
    .description('check every evidence object against the signed digest chain; exit 1 on any problem')
    .option('--store <dir>', 'local evidence directory (default: ./soc2-evidence)')
    .option('--bucket <name>', 'evidence bucket instead of a local directory')
    .option('--public-key <file...>', 'trusted public key(s) in PEM; default: the keys stored beside the digests')
    .option('--config <file>', 'JSON configuration, same schema as the CDK context')
    .addHelpText(
      'after',
      `
Examples:
  soc2-ml verify
  soc2-ml verify --bucket my-evidence-bucket --public-key auditor-copy.pem`,
    )
    .action(action(verifyCommand));

  program
    .command('attest')
    .description('store manual evidence files (policy, review record) for a checklist item, or --list what is stored')
    .argument('[item-id]', 'checklist item, such as SEC-DP-4 (with --list: only this item)')
    .argument('[files...]', 'the evidence files, each stored as its own object')
    .option('--expires-in <days>', "days until this evidence must be renewed (default: the item's freshness window)")
    .option('--note <text>', 'one line on what the evidence is, kept in its metadata')
    .option('--attested-by <name>', 'who vouches for the content (default: the caller: STS identity, or the local user)')
    .option('--list', 'list every manual evidence object with its item, age and expiry')
    .option('--inbox', "with --bucket: hand the files in through the bucket's inbox/ (for the deployed inbox function)")
    .option('--store <dir>', 'local evidence directory (default: ./soc2-evidence)')
    .option('--bucket <name>', 'evidence bucket instead of a local directory')
    .option('--config <file>', 'JSON configuration, same schema as the CDK context')
    .addHelpText(
      'after',
      `
Examples:
  soc2-ml attest SEC-DP-4 data-classification-policy.pdf
  soc2-ml attest SEC-AM-5 q3-access-review.pdf q3-removals.csv --expires-in 90 --note "Q3 review" --attested-by "Dana (CISO)"
  soc2-ml attest --list`,
    )
    .action(action(attestCommand));

  program
    .command('templates')
    .description('write a Markdown template per checklist item that needs manual evidence (manual and partial items)')
    .option('--out <dir>', `where to write <ITEM-ID>.md (default: ${DEFAULT_TEMPLATES_DIR})`)
    .option('--item <id>', 'only this checklist item')
    .addHelpText(
      'after',
      `
Examples:
  soc2-ml templates
  soc2-ml templates --item SEC-AM-5 --out ./evidence-templates`,
    )
    .action(action(templatesCommand));

  program
    .command('period')
    .description('reconstruct the audit window from the evidence: status intervals per check and resource, populations, samples')
    .requiredOption('--from <date>', 'first day of the window (YYYY-MM-DD, UTC, or today)')
    .requiredOption('--to <date>', 'last day of the window, included (YYYY-MM-DD, UTC, or today)')
    .option('--store <dir>', 'local evidence directory (default: ./soc2-evidence)')
    .option('--bucket <name>', 'evidence bucket instead of a local directory')
    .option('--out <dir>', 'where to write the period files (default: ./soc2-period)')
    .option('--config <file>', 'JSON configuration, same schema as the CDK context')
    .option('--sample <n>', 'rows drawn from each population (default: 25)')
    .option('--seed <s>', 'seed of the sample, 0 to 4294967295 (default: a new one, printed)')
    .addHelpText(
      'after',
      `
Reads the store only. Writes period.json, period.html, period.csv, period.oscal.json and
populations/<name>.csv (change-events, drift-intervals, new-credentials, model-deployments).
The same seed draws the same sample rows from the same population.

Examples:
  soc2-ml period --from 2026-01-01 --to 2026-06-30
  soc2-ml period --from 2026-01-01 --to today --sample 40 --seed 20261201 --out ./audit-2026`,
    )
    .action(action(periodCommand));

  program
    .command('demo')
    .description('start a local AWS emulator, seed a sample ML account and run the whole flow; prints where the report is')
    .option('--dir <dir>', `where the demo writes evidence, report and state (default: ${DEFAULT_DEMO_DIR})`)
    .addHelpText(
      'after',
      `
Needs python3 (the emulator, moto, is installed into .venv on first use); no AWS account.
Writes only under --dir and never reads your AWS credentials or ~/.config.

Examples:
  npm run demo
  soc2-ml demo --dir /tmp/soc2-demo
  soc2-ml --json demo      # the summary as JSON`,
    )
    .action(action((options: { dir?: string }, out) => demoCommand(options, out, (argv, io) => runCli(argv, io))));

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof UsageError) {
      stderr(`soc2-ml: ${oneLine(err.message)}\n`);
      return EXIT.usage;
    }
    const debug = program.opts<GlobalOptions>().debug === true || !!process.env.SOC2_ML_DEBUG;
    stderr(`soc2-ml: unexpected failure: ${oneLine(describeFailure(err))}${debug ? '' : ' (details with --debug)'}\n`);
    if (debug) stderr(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.internal;
  }
  return status;
}

/** What went wrong, in a sentence: a schema failure names its first problem instead of dumping every issue. */
function describeFailure(err: unknown): string {
  if (err instanceof ZodError) {
    const [first, ...rest] = err.issues;
    const where = first?.path.length ? `${first.path.map(String).join('.')}: ` : '';
    return `invalid data: ${where}${first?.message ?? 'does not match its schema'}${rest.length > 0 ? ` (and ${rest.length} more problems)` : ''}`;
  }
  if (err instanceof Error) return `${err.name !== 'Error' ? `${err.name}: ` : ''}${err.message}`;
  return String(err);
}
