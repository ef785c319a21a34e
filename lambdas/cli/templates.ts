import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { errorMessage } from '../aws/errors';
import { itemsNeedingEvidence, loadTemplates, renderTemplateMarkdown, templateFileName } from '../catalog/templates';
import { ALL_CHECKS } from '../checks/registry';
import { checklist } from '../flows/evaluate';
import { closestIds } from '../integrity/attest';
import { UsageError } from './errors';
import type { CliOutput } from './output';

export interface TemplatesOptions {
  out?: string;
  item?: string;
}

export const DEFAULT_TEMPLATES_DIR = './soc2-templates';

/** `soc2-ml templates`: one Markdown template per checklist item that needs manual evidence. */
export async function templatesCommand(options: TemplatesOptions, out: CliOutput): Promise<number> {
  const catalog = checklist();
  const templates = loadTemplates(catalog);
  let items = itemsNeedingEvidence(catalog);
  if (options.item !== undefined) {
    const wanted = options.item.trim().toUpperCase();
    const item = catalog.items.find((candidate) => candidate.id.toUpperCase() === wanted);
    if (!item) {
      const closest = closestIds(
        wanted,
        catalog.items.map((candidate) => candidate.id),
      );
      throw new UsageError(
        `--item ${options.item}: unknown checklist item${closest.length ? `; closest: ${closest.join(', ')}` : ''}`,
      );
    }
    if (!item.manualEvidence)
      throw new UsageError(`--item ${item.id}: fully automated, it needs no manual evidence and has no template`);
    items = [item];
  }
  const outDir = resolve(options.out ?? DEFAULT_TEMPLATES_DIR);
  try {
    await mkdir(outDir, { recursive: true });
  } catch (err) {
    throw new UsageError(`--out ${outDir}: cannot create: ${errorMessage(err)}`);
  }
  const written: { itemId: string; title: string; file: string }[] = [];
  for (const item of items) {
    const file = join(outDir, templateFileName(item.id));
    await writeFile(file, renderTemplateMarkdown(item, templates.get(item.id)!, ALL_CHECKS));
    written.push({ itemId: item.id, title: item.title, file });
  }
  out.json({ outDir, templates: written });
  out.result(`${written.length} template(s) written to ${outDir}`);
  return 0;
}
