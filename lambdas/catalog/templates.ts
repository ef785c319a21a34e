/**
 * Templates for manual evidence: one per checklist item that needs some (manual and partial
 * items). catalog/templates.json holds only what the catalog cannot say (what the auditor
 * expects, item-specific fields); title, criteria, freshness and the automated checks that
 * already cover part of the item are read from the catalog, so the two never disagree.
 */
import { z } from 'zod';
import packagedTemplates from '../../catalog/templates.json';
import { type Catalog, CatalogError, type CatalogItem } from './catalog';

const templateSchema = z.strictObject({
  itemId: z.string().min(1),
  /** What the auditor expects to see in the evidence, one point each. */
  expects: z.array(z.string().min(1)).min(1),
  /** Fields this item needs beyond COMMON_FIELDS. */
  fields: z.array(z.strictObject({ name: z.string().min(1), hint: z.string().min(1) })),
});
export type ItemTemplate = z.infer<typeof templateSchema>;

const templatesFileSchema = z.strictObject({
  version: z.string().min(1),
  note: z.string(),
  templates: z.array(templateSchema).min(1),
});

/** What every piece of manual evidence records, whatever the item. */
export const COMMON_FIELDS: readonly { name: string; hint: string }[] = [
  { name: 'Owner', hint: 'the person accountable for this control' },
  { name: 'Date', hint: 'when the work was done (YYYY-MM-DD)' },
  { name: 'Scope', hint: 'period, accounts, teams and ML projects covered' },
  { name: 'Systems', hint: 'AWS accounts, services and tools involved' },
  { name: 'Result', hint: 'what was found, and the follow-up actions with owners and dates' },
  { name: 'Sign-off', hint: 'name, role and date of the approver (not the owner)' },
];

/** Items that need manual evidence: the ones a template must exist for. */
export function itemsNeedingEvidence(catalog: Catalog): CatalogItem[] {
  return catalog.items.filter((item) => item.manualEvidence !== null);
}

/**
 * Validates templates against the catalog: exactly one per item with manual evidence, none for
 * an item that does not exist or needs no manual evidence. Returns them by item id.
 */
export function parseTemplates(raw: unknown, catalog: Catalog): Map<string, ItemTemplate> {
  const parsed = parseTemplatesFile(raw);
  const needing = new Set(itemsNeedingEvidence(catalog).map((item) => item.id));
  const byItem = new Map<string, ItemTemplate>();
  const problems: string[] = [];
  for (const template of parsed.templates) {
    if (byItem.has(template.itemId)) problems.push(`more than one template for ${template.itemId}`);
    else if (!needing.has(template.itemId))
      problems.push(`template for ${template.itemId}, which is not a checklist item that needs manual evidence`);
    byItem.set(template.itemId, template);
  }
  for (const id of needing) if (!byItem.has(id)) problems.push(`no template for ${id}, which needs manual evidence`);
  if (problems.length > 0) throw new CatalogError(problems.map((p) => `templates: ${p}`).join('\n'));
  return byItem;
}

function parseTemplatesFile(raw: unknown): z.infer<typeof templatesFileSchema> {
  const parsed = templatesFileSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new CatalogError(
    parsed.error.issues.map((issue) => `templates ${issue.path.map(String).join('.')}: ${issue.message}`).join('\n'),
  );
}

/** The packaged templates (imported, so bundlers carry them), checked against the catalog. */
export function loadTemplates(catalog: Catalog): Map<string, ItemTemplate> {
  return parseTemplates(packagedTemplates, catalog);
}

let packagedById: Map<string, ItemTemplate> | undefined;

/**
 * The packaged template of one item, for renderers that hold an evaluated item rather than the
 * catalog; undefined for an item without one (a catalog loaded from another file).
 */
export function packagedTemplate(itemId: string): ItemTemplate | undefined {
  packagedById ??= new Map(parseTemplatesFile(packagedTemplates).templates.map((t) => [t.itemId, t]));
  return packagedById.get(itemId);
}

/** What a template says about an automated check of its item (from the check registry). */
export interface TemplateCheck {
  id: string;
  passCondition: string;
}

/** Freshness in words: "every 90 days", "every year". */
export function renewalText(days: number): string {
  return days === 365 ? 'every year (365 days)' : `every ${days} days`;
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** One template as Markdown, ready to copy into a document and fill in. */
export function renderTemplateMarkdown(item: CatalogItem, template: ItemTemplate, checks: readonly TemplateCheck[]): string {
  const evidence = item.manualEvidence;
  if (!evidence) throw new CatalogError(`${item.id} needs no manual evidence: it has no template`);
  const covered = item.checks.map((id) => {
    const check = checks.find((c) => c.id === id);
    return check ? `- \`${id}\`: ${check.passCondition}` : `- \`${id}\``;
  });
  const fields = [...COMMON_FIELDS, ...template.fields];
  return [
    `# ${item.id}: ${item.title}`,
    '',
    `Section: ${item.section}. Trust Services Criteria: ${item.criteria.join(', ')}. Kind: ${item.kind}.`,
    '',
    `Evidence to attach: **${evidence.description}**.`,
    '',
    '## What the auditor expects',
    '',
    ...template.expects.map((point) => `- ${point}`),
    '',
    '## How often',
    '',
    `Renew ${renewalText(evidence.freshnessDays)}. Evidence older than that, or past the expiry given when it was attested, turns the item NEEDS_EVIDENCE.`,
    '',
    '## Already covered by automated checks',
    '',
    ...(covered.length > 0
      ? [...covered, '', 'Refer to their findings in the report; this document covers what they cannot see.']
      : ['None: this item rests on this document alone.']),
    '',
    '## Fill in',
    '',
    '| Field | Value | Guidance |',
    '|---|---|---|',
    ...fields.map((field) => `| ${cell(field.name)} | | ${cell(field.hint)} |`),
    '',
    '## Attest',
    '',
    '```bash',
    `soc2-ml attest ${item.id} <file> --note "<one line on what this is>"`,
    '```',
    '',
    `Or drop the file under \`inbox/${item.id}/\` in the evidence bucket of the deployed app.`,
    '',
  ].join('\n');
}

/** The Markdown file name of an item's template. */
export function templateFileName(itemId: string): string {
  return `${itemId}.md`;
}
