import { SingleBar } from 'cli-progress';
import { oneLine } from './errors';

/** Where the CLI talks: progress and diagnostics on stderr, results on stdout. */
export interface CliOutput {
  /** Progress lines; silent with --quiet or --json. */
  progress(line: string): void;
  /** Results for people (tables, summaries); silent with --json. */
  result(text: string): void;
  /** Machine-readable result for --json. */
  json(value: unknown): void;
  error(line: string): void;
  /** Progress over a known number of steps: a bar on a terminal, plain lines otherwise. */
  steps(total: number): StepProgress;
  readonly jsonMode: boolean;
  /** Results may carry ANSI colours: stdout is a terminal and NO_COLOR is not set. */
  readonly colour: boolean;
}

export interface StepProgress {
  /** A step begins (such as "kms us-east-1"). */
  start(label: string): void;
  /** A detail inside the current step. */
  note(line: string): void;
  /** The step ended with this outcome. */
  done(label: string, outcome: string): void;
  /** Clears the bar; call once, also when a step failed. */
  stop(): void;
}

export interface OutputOptions {
  quiet?: boolean;
  json?: boolean;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  /** Whether each stream is a terminal; by default read from the process streams when not replaced. */
  terminal?: { stdout?: boolean; stderr?: boolean };
  /** Environment consulted for NO_COLOR. */
  env?: NodeJS.ProcessEnv;
}

export function createOutput(options: OutputOptions = {}): CliOutput {
  const stdout = options.stdout ?? ((t: string) => process.stdout.write(t));
  const stderr = options.stderr ?? ((t: string) => process.stderr.write(t));
  const stdoutTty = options.terminal?.stdout ?? (options.stdout === undefined && process.stdout.isTTY === true);
  const stderrTty = options.terminal?.stderr ?? (options.stderr === undefined && process.stderr.isTTY === true);
  const noColour = (options.env ?? process.env).NO_COLOR;
  const jsonMode = options.json === true;
  const quietProgress = jsonMode || options.quiet === true;
  const progress = (line: string) => {
    if (!quietProgress) stderr(`${line}\n`);
  };
  return {
    jsonMode,
    colour: stdoutTty && !jsonMode && (noColour === undefined || noColour === ''),
    progress,
    result: (text) => {
      if (!jsonMode) stdout(text.endsWith('\n') ? text : `${text}\n`);
    },
    json: (value) => {
      if (jsonMode) stdout(`${JSON.stringify(value, null, 2)}\n`);
    },
    // Error lines may quote hostile input (an event file, an AWS error message): one escaped line.
    error: (line) => stderr(`${oneLine(line)}\n`),
    steps: (total) => {
      if (quietProgress) return SILENT_STEPS;
      // cli-progress redraws in place, which only a terminal can show; it writes to process.stderr.
      return stderrTty && options.stderr === undefined ? barSteps(total) : lineSteps(progress);
    },
  };
}

const SILENT_STEPS: StepProgress = { start() {}, note() {}, done() {}, stop() {} };

function lineSteps(progress: (line: string) => void): StepProgress {
  return {
    start: (label) => progress(`${label}: collecting...`),
    note: (line) => progress(`  ${line}`),
    done: (label, outcome) => progress(`${label}: ${outcome}`),
    stop: () => undefined,
  };
}

function barSteps(total: number): StepProgress {
  const bar = new SingleBar({
    format: '{bar} {value}/{total} {label}',
    barsize: 24,
    hideCursor: true,
    clearOnComplete: true,
    stream: process.stderr,
  });
  bar.start(total, 0, { label: '' });
  return {
    start: (label) => bar.update({ label: `${label}...` }),
    note: (line) => bar.update({ label: line.slice(0, 60) }),
    done: (label, outcome) => bar.increment({ label: `${label}: ${outcome}` }),
    stop: () => bar.stop(),
  };
}

const ANSI: Record<string, string> = {
  PASS: '32',
  FAIL: '31',
  ERROR: '35',
  STALE: '33',
  NEEDS_EVIDENCE: '33',
  ATTESTED: '36',
  EXCEPTED: '36',
  NOT_APPLICABLE: '2',
};

/** Wraps a status word in its colour (green PASS, red FAIL...); other text is returned as is. */
export function colourStatus(text: string, colour: boolean): string {
  const code = ANSI[text.trim()];
  return colour && code ? `\u001b[${code}m${text}\u001b[0m` : text;
}

export interface TableOptions {
  /** Colour cells that are a status word (see colourStatus). */
  colour?: boolean;
}

/** Fixed-width table; cells that are a status word are coloured when asked. */
export function formatTable(headers: string[], rows: (string | number)[][], options: TableOptions = {}): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[], paint: boolean) =>
    r
      .map((c, i) => {
        const padded = c.padEnd(widths[i]!);
        return paint ? colourStatus(padded, options.colour === true) : padded;
      })
      .join('  ')
      .trimEnd();
  return [
    line(cells[0]!, false),
    line(
      widths.map((w) => '-'.repeat(w)),
      false,
    ),
    ...cells.slice(1).map((r) => line(r, true)),
  ].join('\n');
}
