import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configReferenceMarkdown } from '../lambdas/config/reference';

/** Rewrites the README's configuration table from the schema (npm run docs:config). */
const path = join(__dirname, '..', 'README.md');
const readme = readFileSync(path, 'utf8');
const start = '<!-- config-reference:start -->';
const end = '<!-- config-reference:end -->';
const before = readme.slice(0, readme.indexOf(start) + start.length);
const after = readme.slice(readme.indexOf(end));
writeFileSync(path, `${before}\n${configReferenceMarkdown()}\n${after}`);
