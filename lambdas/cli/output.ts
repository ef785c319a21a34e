/** Where the CLI talks: progress and diagnostics on stderr, results on stdout. */
export interface CliOutput {
  /** Progress lines; silent with --quiet or --json. */
  progress(line: string): void;
  /** Results for people (tables, summaries); silent with --json. */
  result(text: string): void;
  /** Machine-readable result for --json. */
  json(value: unknown): void;
  error(line: string): void;
  readonly jsonMode: boolean;
}

export interface OutputOptions {
  quiet?: boolean;
  json?: boolean;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
}

export function createOutput(options: OutputOptions = {}): CliOutput {
  const stdout = options.stdout ?? ((t: string) => process.stdout.write(t));
  const stderr = options.stderr ?? ((t: string) => process.stderr.write(t));
  const jsonMode = options.json === true;
  const quietProgress = jsonMode || options.quiet === true;
  return {
    jsonMode,
    progress: (line) => {
      if (!quietProgress) stderr(`${line}\n`);
    },
    result: (text) => {
      if (!jsonMode) stdout(text.endsWith('\n') ? text : `${text}\n`);
    },
    json: (value) => {
      if (jsonMode) stdout(`${JSON.stringify(value, null, 2)}\n`);
    },
    error: (line) => stderr(`${line}\n`),
  };
}

/** Plain fixed-width table; no colours when the stream is not a terminal. */
export function formatTable(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(cells[0]!), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}
