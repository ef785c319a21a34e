import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { unescapeMrkdwn } from '../alerts/slack';
import { AwsClientFactory } from '../aws/clients';
import { ensureWritableDirectory } from '../evidence/directories';
import { COLLECTOR_NAMES } from '../evidence/record';
import { ITEM_STATUSES, type ItemStatus } from '../report/result';
import { disableKeyRotation, type PlantedMisconfiguration, seedDemoAccount } from './demo-seed';
import { EMULATOR_ACCOUNT, EMULATOR_REGION, ensureEmulatorEnvironment, type MotoServer, startMoto } from './emulator';
import { type DateRewritingProxy, startDateRewritingProxy } from './emulator-dates';
import { UsageError } from './errors';
import { type CliOutput, colourStatus, formatTable } from './output';

export const DEFAULT_DEMO_DIR = './.demo';

/** How the demo runs the other commands: runCli, passed in so that main.ts and demo.ts do not import each other. */
export type CliRunner = (
  argv: string[],
  io: { stdout: (text: string) => void; stderr: (text: string) => void },
) => Promise<number>;

export interface DemoOptions {
  dir?: string;
}

export interface PlantedResult extends PlantedMisconfiguration {
  /** Status of the check's finding on the resource in the report, or null when no finding names it. */
  status: string | null;
}

export interface DemoSummary {
  dir: string;
  store: string;
  reportHtml: string;
  emulator: { url: string; pid: number };
  summary: Record<ItemStatus, number>;
  planted: PlantedResult[];
  change: { eventName: string; resource: string; principal: string; exitStatus: number; failure?: string };
  alerts: { text: string }[];
  seconds: number;
}

/** Fake credentials and a private config home: the demo never reads or writes the user's AWS or key files. */
const demoEnvironment = (dir: string): Record<string, string | undefined> => ({
  AWS_ACCESS_KEY_ID: 'demo',
  AWS_SECRET_ACCESS_KEY: 'demo',
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_REGION: EMULATOR_REGION,
  AWS_EC2_METADATA_DISABLED: 'true',
  // The SDK's notice about future Node versions is noise on the demo's one screen.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  XDG_CONFIG_HOME: join(dir, 'config'),
});

/**
 * `soc2-ml demo`: the whole flow against a local emulator, written under one directory
 * (default ./.demo): seed an ML account with known misconfigurations, collect, report, one
 * change event with its Slack alert to a local receiver, and a one-screen summary.
 */
export async function demoCommand(options: DemoOptions, out: CliOutput, runCli: CliRunner): Promise<number> {
  const started = Date.now();
  const dir = resolve(options.dir ?? DEFAULT_DEMO_DIR);
  const paths = {
    store: join(dir, 'evidence'),
    report: join(dir, 'report'),
    config: join(dir, 'config.json'),
    event: join(dir, 'events', 'DisableKeyRotation.json'),
  };
  try {
    await ensureWritableDirectory(join(dir, 'events'));
  } catch (err) {
    throw new UsageError(`--dir ${dir}: cannot write there: ${(err as Error).message}`);
  }

  out.progress('[1/6] preparing the AWS emulator (moto; the first run installs it into .venv)...');
  await ensureEmulatorEnvironment((line) => out.progress(`  ${line}`));

  const restoreEnvironment = overrideEnvironment(demoEnvironment(dir));
  let moto: MotoServer | undefined;
  let emulatorDates: DateRewritingProxy | undefined;
  let receiver: SlackReceiver | undefined;
  // Ctrl-C or SIGTERM must not leave moto running: kill it synchronously, then exit as signalled.
  const onSignal = (signal: NodeJS.Signals) => {
    moto?.kill();
    receiver?.server.close();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  const onExit = () => moto?.kill();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', onExit);
  try {
    moto = await startMoto();
    // moto writes Bedrock dates the SDK refuses: everything goes through a proxy that fixes them.
    emulatorDates = await startDateRewritingProxy(moto.url);
    receiver = await startSlackReceiver();
    out.progress(`      moto listening on ${moto.url}; Slack receiver on ${receiver.url}`);
    await writeFile(
      paths.config,
      `${JSON.stringify(
        {
          regions: [EMULATOR_REGION],
          // moto answers 500 for the calls it lacks: retrying them only costs time.
          collection: { maxAttempts: 1 },
          slack: { webhookUrl: receiver.url },
        },
        null,
        2,
      )}\n`,
    );

    out.progress('[2/6] seeding a sample ML account with deliberate misconfigurations...');
    const clients = new AwsClientFactory({ region: EMULATOR_REGION, endpointUrl: emulatorDates.url, maxAttempts: 1 });
    const seed = await seedDemoAccount(clients, EMULATOR_ACCOUNT);

    const global = ['--endpoint-url', emulatorDates.url, '--region', EMULATOR_REGION];
    const step = async (argv: string[]) => {
      const run = await captureCli(runCli, [...global, '--quiet', ...argv]);
      if (run.status !== 0) throw new Error(`soc2-ml ${argv[0]} exited ${run.status}: ${run.stderr.trim()}`);
    };

    out.progress(`[3/6] collecting evidence (${COLLECTOR_NAMES.join(', ')})...`);
    // The emulator answers 500 to the calls it lacks (STACK.md); the report shows those checks as ERROR.
    await step(['collect', '--allow-errors', '--store', paths.store, '--config', paths.config]);

    out.progress('[4/6] evaluating the 66-item checklist and writing the report...');
    await step(['report', '--store', paths.store, '--out', paths.report, '--config', paths.config]);
    const report = JSON.parse(await readFile(join(paths.report, 'report.json'), 'utf8')) as ReportJson;

    out.progress('[5/6] change event: someone disables rotation of the training-data key...');
    const event = await disableKeyRotation(clients, seed, new Date());
    await writeFile(paths.event, `${JSON.stringify(event, null, 2)}\n`);
    // The change path reports a status change as a problem found (exit 1); only exit 2 is a failure.
    const change = await captureCli(runCli, [
      ...global,
      '--quiet',
      'event',
      paths.event,
      '--store',
      paths.store,
      '--config',
      paths.config,
      '--slack-webhook-url',
      receiver.url,
    ]);
    const alerts = await receiver.settled();

    out.progress('[6/6] stopping the emulator...');
    const summary: DemoSummary = {
      dir,
      store: paths.store,
      reportHtml: join(paths.report, 'report.html'),
      emulator: { url: moto.url, pid: moto.pid },
      summary: report.summary,
      planted: seed.planted.map((p) => ({ ...p, status: findingStatus(report, p) })),
      change: {
        eventName: 'DisableKeyRotation',
        resource: seed.rotatingKeyArn,
        principal: seed.changeMakerArn,
        exitStatus: change.status,
        ...(change.status >= 2 ? { failure: change.stderr.trim().split('\n')[0] } : {}),
      },
      alerts,
      seconds: 0,
    };
    await moto.stop();
    summary.seconds = Math.round((Date.now() - started) / 100) / 10;
    out.json(summary);
    out.result(renderSummary(summary, out.colour));
    // The demo promises to show every planted problem and the alert: anything less is reported as exit 1.
    return summary.planted.every((p) => p.status === 'FAIL') && alerts.length > 0 ? 0 : 1;
  } finally {
    await emulatorDates?.close();
    await moto?.stop();
    receiver?.server.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
    restoreEnvironment();
  }
}

interface ReportJson {
  summary: Record<ItemStatus, number>;
  items: { id: string; findings: { check: string; resource: string; status: string }[] }[];
}

function findingStatus(report: ReportJson, planted: PlantedMisconfiguration): string | null {
  for (const item of report.items) {
    const finding = item.findings.find((f) => f.check === planted.check && f.resource === planted.resource);
    if (finding) return finding.status;
  }
  return null;
}

function renderSummary(demo: DemoSummary, colour: boolean): string {
  const found = demo.planted.filter((p) => p.status === 'FAIL').length;
  const counts = ITEM_STATUSES.filter((s) => demo.summary[s] > 0)
    .map((s) => `${colourStatus(s, colour)} ${demo.summary[s]}`)
    .join('  ');
  const lines = [
    '',
    `soc2-ml demo: emulated ML account ${EMULATOR_ACCOUNT}, finished in ${demo.seconds.toFixed(1)} s`,
    '',
    `Checklist items: ${counts}`,
    '',
    `Planted misconfigurations found: ${found} of ${demo.planted.length}`,
    formatTable(
      ['status', 'check', 'resource', 'what is wrong'],
      demo.planted.map((p) => [p.status ?? 'MISSING', p.check, shortArn(p.resource), p.description]),
      { colour },
    ),
    '',
    `Change event: DisableKeyRotation by ${demo.change.principal}`,
    ...(demo.alerts.length > 0
      ? demo.alerts.map((a) => `Slack alert received: ${a.text}`)
      : [
          `No Slack alert received (soc2-ml event exited ${demo.change.exitStatus}${demo.change.failure ? `: ${demo.change.failure}` : ''}).`,
        ]),
    '',
    `Report: ${demo.reportHtml}`,
    `Evidence: ${demo.store}   (try: soc2-ml verify --store ${demo.store})`,
  ];
  return lines.join('\n');
}

/** The resource part of an ARN (bucket name, user/NAME, key/ID), enough on a screen; JSON keeps the whole ARN. */
function shortArn(arn: string): string {
  return arn.split(':').slice(5).join(':') || arn;
}

async function captureCli(runCli: CliRunner, argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await runCli(argv, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
  });
  return { status, stdout, stderr };
}

/** Sets environment variables (undefined removes one) and returns the function that restores them. */
function overrideEnvironment(vars: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(vars);
  return () => apply(saved);
}

interface SlackReceiver {
  url: string;
  server: Server;
  /** The messages received so far, once every request in flight has been answered. */
  settled(): Promise<{ text: string }[]>;
}

/** A stand-in for a Slack incoming webhook on loopback: keeps each posted message's text. */
async function startSlackReceiver(): Promise<SlackReceiver> {
  const messages: { text: string }[] = [];
  const inFlight = new Set<Promise<void>>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    const done = new Promise<void>((resolveRequest) => {
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text?: unknown };
          messages.push({ text: typeof body.text === 'string' ? unescapeMrkdwn(body.text) : JSON.stringify(body) });
          response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        } catch {
          response.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_payload');
        }
        resolveRequest();
      });
    });
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/demo`,
    server,
    async settled() {
      await Promise.all([...inFlight]);
      return [...messages];
    },
  };
}
