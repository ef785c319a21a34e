import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Runs AWS Event Ruler (software.amazon.event.ruler, the matching library behind EventBridge)
 * through the small Java harness in test/ruler/: Maven builds it once per process (downloading
 * Event Ruler from Maven Central into ~/.m2 the first time), then one JVM matches every event
 * against every rule.
 */
const HARNESS = join(__dirname, '..', 'ruler');
const run = promisify(execFile);

let built: Promise<void> | undefined;

async function requireTool(command: string, args: string[], what: string): Promise<void> {
  try {
    await run(command, args, { timeout: 60_000 });
  } catch (err) {
    throw new Error(
      `The Event Ruler check needs ${what} on PATH (\`${command} ${args.join(' ')}\` failed: ${(err as Error).message.split('\n')[0]}). Install a JDK 17+ and Maven 3.8+ (Debian: apt-get install openjdk-17-jdk-headless maven).`,
    );
  }
}

function buildHarness(): Promise<void> {
  built ??= (async () => {
    await requireTool('java', ['-version'], 'Java');
    await requireTool('mvn', ['-v'], 'Maven');
    try {
      await run('mvn', ['-B', '-q', '-f', join(HARNESS, 'pom.xml'), 'compile'], { timeout: 600_000, maxBuffer: 16 << 20 });
    } catch (err) {
      const { stdout, message } = err as { stdout?: string; message: string };
      throw new Error(`Building the Event Ruler harness (mvn compile in test/ruler) failed: ${message}\n${stdout ?? ''}`);
    }
  })();
  return built;
}

/** rule name -> event pattern; event id -> event. Returns event id -> names of the matching rules, sorted. */
export async function matchWithEventRuler(
  rules: Record<string, unknown>,
  events: Record<string, unknown>,
): Promise<Record<string, string[]>> {
  await buildHarness();
  const dir = mkdtempSync(join(tmpdir(), 'event-ruler-'));
  try {
    const input = join(dir, 'input.json');
    writeFileSync(input, JSON.stringify({ rules, events }));
    const classpath = [join(HARNESS, 'target', 'classes'), join(HARNESS, 'target', 'lib', '*')].join(':');
    const { stdout } = await run('java', ['-cp', classpath, 'soc2ml.ruler.MatchEvents', input], {
      timeout: 120_000,
      maxBuffer: 16 << 20,
    });
    return JSON.parse(stdout) as Record<string, string[]>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
