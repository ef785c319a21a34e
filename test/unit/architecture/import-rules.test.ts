import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import ts from 'typescript';

/**
 * The direction rules of ../shared/DESIGN.md ("Which way imports run"), checked over the source
 * tree so that a violation fails CI. Data flows AWS -> collectors -> evidence -> checks ->
 * report -> alerts, and imports run the same way; handlers and the CLI are the only wiring.
 */

const ROOT = join(__dirname, '..', '..', '..');

/** A source file as the rules see it: its path from the repository root and its text. */
interface SourceFile {
  path: string;
  text: string;
}

/** Every module specifier a file names: import and export ... from, import x = require, require() and import(). */
function specifiersOf(file: SourceFile): string[] {
  const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) found.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const expression = node.moduleReference.expression;
      if (ts.isStringLiteral(expression)) found.push(expression.text);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      const isDynamicImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const [argument] = node.arguments;
      if ((isRequire || isDynamicImport) && argument && ts.isStringLiteralLike(argument)) found.push(argument.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** A relative specifier as a path from the repository root (no extension); a package name as written. */
function resolveSpecifier(from: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  return posix.normalize(posix.join(posix.dirname(from), specifier)).replace(/\.(ts|js)$/, '');
}

const moduleKey = (path: string) => path.replace(/\.ts$/, '').replace(/\/index$/, '');

/** Matches a path (or package) that lies in one of the folders or packages. */
const under =
  (...prefixes: string[]) =>
  (target: string) =>
    prefixes.some((prefix) => target === prefix || target.startsWith(`${prefix}/`));
const inLambdas = (...folders: string[]) => under(...folders.map((folder) => `lambdas/${folder}`));
const AWS_SDK = (target: string) => target.startsWith('@aws-sdk/');

interface ImportRule {
  name: string;
  /** The files the rule constrains. */
  appliesTo: (path: string) => boolean;
  /** The imports it forbids them. */
  forbids: (target: string) => boolean;
  /** Also forbids reaching a forbidden package through other modules of the tree (checks stay pure at run time). */
  transitively?: (target: string) => boolean;
}

const RENDERERS = ['html', 'markdown', 'csv', 'json', 'oscal', 'charts'].map((name) => `lambdas/report/${name}`);
const isRenderer = (path: string) => RENDERERS.includes(moduleKey(path));
const isEvaluation = (path: string) => moduleKey(path) === 'lambdas/report/evaluate';

/**
 * Wiring that runs a flow (lambdas/flows: collect, evaluate) besides handlers and the CLI: the
 * organisation task, the change path, and the report, period and alerting runs.
 */
const FLOW_CALLERS = [
  'organization/member-task',
  'events/change-path',
  'report/produce',
  'period/produce',
  'alerts/alerting',
].map((name) => `lambdas/${name}`);
const isFlowCaller = (path: string) => FLOW_CALLERS.includes(moduleKey(path));

const IMPORT_RULES: ImportRule[] = [
  {
    name: 'runtime code under lambdas/ never imports lib/ or the CDK (CDK stays at deploy time)',
    appliesTo: under('lambdas'),
    forbids: (target) => under('lib', 'aws-cdk-lib', 'constructs', 'cdk-nag')(target),
  },
  {
    name: 'collectors never import checks, report or alerts: they only describe',
    appliesTo: inLambdas('collectors'),
    forbids: inLambdas('checks', 'report', 'alerts'),
  },
  {
    name: 'checks never import collectors, report, alerts, handlers, the CLI or an AWS SDK client: they read snapshots',
    appliesTo: inLambdas('checks'),
    forbids: (target) => inLambdas('collectors', 'report', 'alerts', 'handlers', 'cli')(target) || AWS_SDK(target),
    transitively: AWS_SDK,
  },
  {
    name: 'evaluation never imports a collector or an AWS SDK client',
    appliesTo: isEvaluation,
    forbids: (target) => inLambdas('collectors')(target) || AWS_SDK(target),
    transitively: AWS_SDK,
  },
  {
    name: 'evidence imports nothing above it (checks, collectors, report, alerts, events, integrity, organization, handlers, cli)',
    appliesTo: inLambdas('evidence'),
    forbids: inLambdas('checks', 'collectors', 'report', 'alerts', 'events', 'integrity', 'organization', 'handlers', 'cli'),
  },
  {
    name: 'service descriptors are data: no collector, check, report, event code or AWS SDK client (evaluation reads them)',
    appliesTo: inLambdas('services'),
    forbids: (target) =>
      inLambdas('collectors', 'checks', 'report', 'alerts', 'events', 'handlers', 'cli')(target) || AWS_SDK(target),
    transitively: AWS_SDK,
  },
  {
    name: 'renderers take an evaluation result and nothing else (no collectors, AWS clients, stores, integrity or events)',
    appliesTo: isRenderer,
    forbids: (target) =>
      inLambdas('collectors', 'aws', 'events', 'integrity', 'alerts', 'handlers', 'cli', 'organization')(target) ||
      under('lambdas/evidence/store', 'lambdas/evidence/s3-store', 'lambdas/evidence/local-store')(target) ||
      AWS_SDK(target),
    transitively: AWS_SDK,
  },
  {
    name: 'flows are written once below the wiring that calls them: never handlers, the CLI, alerts or a flow caller',
    appliesTo: inLambdas('flows'),
    forbids: (target) => inLambdas('handlers', 'cli', 'alerts')(target) || isFlowCaller(target),
  },
  {
    name: 'only wiring runs a flow: handlers, the CLI and the flow callers import flows/',
    appliesTo: (path) => !inLambdas('handlers', 'cli', 'flows')(path) && !under('bin')(path) && !isFlowCaller(path),
    forbids: inLambdas('flows'),
  },
  {
    name: 'handlers and the CLI are the only wiring: only they and bin/ import handlers/ or cli/',
    appliesTo: (path) => !inLambdas('handlers', 'cli')(path) && !under('bin')(path),
    forbids: inLambdas('handlers', 'cli'),
  },
];

/** One broken rule: which file, what it imports (through which modules), and the rule. */
function importViolations(files: SourceFile[], rules: ImportRule[] = IMPORT_RULES): string[] {
  const imports = new Map(
    files.map((file) => [moduleKey(file.path), specifiersOf(file).map((s) => resolveSpecifier(file.path, s))]),
  );
  /** The first chain of local imports from `start` to a target `wanted` accepts, if any. */
  const reach = (start: string, wanted: (target: string) => boolean): string[] | undefined => {
    const seen = new Set([start]);
    const queue: string[][] = [[start]];
    while (queue.length > 0) {
      const chain = queue.shift()!;
      for (const target of imports.get(chain[chain.length - 1]!) ?? []) {
        if (wanted(target)) return [...chain.slice(1), target];
        if (!seen.has(target) && imports.has(target)) {
          seen.add(target);
          queue.push([...chain, target]);
        }
      }
    }
    return undefined;
  };
  const violations: string[] = [];
  for (const file of files) {
    for (const rule of rules.filter((r) => r.appliesTo(file.path))) {
      for (const target of imports.get(moduleKey(file.path)) ?? []) {
        if (rule.forbids(target)) violations.push(`${file.path} imports ${target}: ${rule.name}`);
      }
      const chain = rule.transitively && reach(moduleKey(file.path), rule.transitively);
      if (chain && chain.length > 1) violations.push(`${file.path} reaches ${chain.join(' -> ')}: ${rule.name}`);
    }
  }
  return violations;
}

function sourceFiles(folder: string): SourceFile[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => {
      const path = relative(ROOT, join(ROOT, folder, name))
        .split(sep)
        .join('/');
      return { path, text: readFileSync(join(ROOT, path), 'utf8') };
    });
}

describe('import direction rules (DESIGN.md "Which way imports run")', () => {
  const tree = [...sourceFiles('lambdas'), ...sourceFiles('bin')];

  it('reads the whole runtime tree', () => {
    expect(tree.length).toBeGreaterThan(100);
    expect(tree.map((f) => f.path)).toEqual(expect.arrayContaining(['lambdas/checks/framework.ts', 'bin/soc2-ml.ts']));
  });

  it('holds for every file under lambdas/ and bin/', () => {
    expect(importViolations(tree)).toEqual([]);
  });
});

describe('the import rule checker', () => {
  const file = (path: string, text: string): SourceFile => ({ path, text });

  it('finds every form of import: import, export from, require, import = require and import()', () => {
    const text = [
      "import { a } from './a';",
      "import type { B } from '../b/b';",
      "export { c } from './c';",
      "export * from './d';",
      "const e = require('./e');",
      "import f = require('./f');",
      "async function g() { return import('./g'); }",
      'const notAnImport = \'import x from "./h"\';',
    ].join('\n');
    expect(specifiersOf(file('lambdas/x/y.ts', text))).toEqual(['./a', '../b/b', './c', './d', './e', './f', './g']);
  });

  it('catches a check that imports a collector, whatever the import form', () => {
    const tree = [
      file('lambdas/checks/planted.ts', "export { COLLECTORS } from '../collectors/registry';"),
      file('lambdas/checks/other.ts', "const registry = require('../collectors/registry');"),
      file('lambdas/collectors/registry.ts', 'export const COLLECTORS = {};'),
    ];
    expect(importViolations(tree)).toEqual([
      expect.stringMatching(/^lambdas\/checks\/planted\.ts imports lambdas\/collectors\/registry: checks never import/),
      expect.stringMatching(/^lambdas\/checks\/other\.ts imports lambdas\/collectors\/registry: checks never import/),
    ]);
  });

  it('catches a check that reaches an AWS SDK client through another module, naming the chain', () => {
    const tree = [
      file('lambdas/checks/planted.ts', "import { helper } from '../evidence/helper';"),
      file('lambdas/evidence/helper.ts', "import { S3Client } from '@aws-sdk/client-s3';\nexport const helper = S3Client;"),
    ];
    expect(importViolations(tree)).toEqual([
      'lambdas/checks/planted.ts reaches lambdas/evidence/helper -> @aws-sdk/client-s3: checks never import collectors, report, alerts, handlers, the CLI or an AWS SDK client: they read snapshots',
    ]);
  });

  it('catches each direction rule on a planted violation, and passes a clean tree', () => {
    const planted = [
      file('lambdas/report/evaluate.ts', "import { s3 } from '../collectors/s3';"),
      file('lambdas/collectors/s3.ts', "import { ALL_CHECKS } from '../checks/registry';"),
      file('lambdas/evidence/record.ts', "import { alert } from '../alerts/slack';"),
      file('lambdas/report/html.ts', "import { clients } from '../aws/clients';"),
      file('lambdas/alerts/slack.ts', "import { main } from '../cli/main';"),
      file('lambdas/handlers/collect.ts', "import { Bucket } from '../../lib/evidence-bucket';"),
      file('bin/soc2-ml.ts', "import { main } from '../lambdas/cli/main';"),
      file('lambdas/flows/evaluate.ts', "import { send } from '../alerts/slack';"),
      file('lambdas/flows/collect.ts', "import { collectMemberTask } from '../organization/member-task';"),
      file('lambdas/collectors/run-collection.ts', "import { collectInto } from '../flows/collect';"),
      file('lambdas/report/snapshots.ts', "import { checklist } from '../flows/evaluate';"),
    ];
    const violations = importViolations(planted);
    expect(violations.map((v) => v.slice(0, v.indexOf(':')))).toEqual([
      'lambdas/report/evaluate.ts imports lambdas/collectors/s3',
      'lambdas/collectors/s3.ts imports lambdas/checks/registry',
      'lambdas/evidence/record.ts imports lambdas/alerts/slack',
      'lambdas/report/html.ts imports lambdas/aws/clients',
      'lambdas/alerts/slack.ts imports lambdas/cli/main',
      'lambdas/handlers/collect.ts imports lib/evidence-bucket',
      'lambdas/flows/evaluate.ts imports lambdas/alerts/slack',
      'lambdas/flows/collect.ts imports lambdas/organization/member-task',
      'lambdas/collectors/run-collection.ts imports lambdas/flows/collect',
      'lambdas/report/snapshots.ts imports lambdas/flows/evaluate',
    ]);
    const clean = [
      file('lambdas/checks/s3.ts', "import { S3_BUCKET_TYPE } from '../evidence/resources/s3';"),
      file('lambdas/flows/collect.ts', "import { runCollection } from '../collectors/run-collection';"),
      file('lambdas/alerts/alerting.ts', "import { evaluateEvidence } from '../flows/evaluate';"),
      file('lambdas/organization/member-task.ts', "import { collectInto } from '../flows/collect';"),
      file('lambdas/report/evaluate.ts', "import { ALL_CHECKS } from '../checks/registry';"),
      file('lambdas/handlers/collect.ts', "import { COLLECTORS } from '../collectors/registry';"),
    ];
    expect(importViolations(clean)).toEqual([]);
  });
});
