import { readFileSync } from 'node:fs';
import { z } from 'zod';
import packagedCatalog from '../../catalog/checklist.json';

export const ITEM_KINDS = ['auto', 'partial', 'manual'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

/** TSC 2017 criterion ids: CC1.1-CC9.9, A1.x, PI1.x, C1.x, P1.x-P8.x. */
export const CRITERION_PATTERN = /^(CC[1-9]|A1|PI1|C1|P[1-8])\.\d{1,2}$/;

const catalogItemSchema = z.strictObject({
  id: z.string().regex(/^[A-Z]+(-[A-Z]+)?-\d+$/, 'must look like SEC-DP-1 or DOC-1'),
  section: z.string().min(1),
  title: z.string().min(1),
  criteria: z.array(z.string().regex(CRITERION_PATTERN, 'must be a TSC criterion such as CC6.1, A1.2 or P4.2')).min(1),
  kind: z.enum(ITEM_KINDS),
  checks: z.array(z.string().min(1)),
  manualEvidence: z.strictObject({ description: z.string().min(1), freshnessDays: z.number().int().positive() }).nullable(),
  /** Why the item departs from the checklist text, when it does. */
  note: z.string().optional(),
});
export type CatalogItem = z.infer<typeof catalogItemSchema>;

export const catalogSchema = z
  .strictObject({ version: z.string().min(1), source: z.string(), items: z.array(catalogItemSchema).min(1) })
  .superRefine((catalog, ctx) => {
    const seen = new Set<string>();
    catalog.items.forEach((item, index) => {
      if (seen.has(item.id))
        ctx.addIssue({ code: 'custom', path: ['items', index, 'id'], message: `duplicate item id ${item.id}` });
      seen.add(item.id);
      const hasChecks = item.checks.length > 0;
      const hasManual = item.manualEvidence !== null;
      const consistent = { auto: hasChecks && !hasManual, partial: hasChecks && hasManual, manual: !hasChecks && hasManual }[
        item.kind
      ];
      if (!consistent) {
        ctx.addIssue({
          code: 'custom',
          path: ['items', index, 'kind'],
          message: `${item.id}: kind ${item.kind} needs ${item.kind === 'auto' ? 'checks and no' : item.kind === 'manual' ? 'no checks and' : 'checks and'} manual evidence`,
        });
      }
    });
  });
export type Catalog = z.infer<typeof catalogSchema>;

/** Problems tying the catalog to the check registry: named checks that do not exist, and checks no item uses. */
export function validateCatalog(catalog: Catalog, checkIds: readonly string[]): string[] {
  const known = new Set(checkIds);
  const used = new Set<string>();
  const problems: string[] = [];
  for (const item of catalog.items) {
    for (const check of item.checks) {
      used.add(check);
      if (!known.has(check)) problems.push(`${item.id} names check ${check}, which is not in the check registry`);
    }
  }
  for (const check of checkIds) if (!used.has(check)) problems.push(`check ${check} is used by no catalog item`);
  return problems;
}

export class CatalogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CatalogError';
  }
}

/** Parses catalog JSON, throwing one CatalogError line per problem; with checkIds, also ties it to the registry. */
export function parseCatalog(raw: unknown, checkIds?: readonly string[]): Catalog {
  const parsed = catalogSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CatalogError(
      parsed.error.issues.map((issue) => `catalog ${issue.path.map(String).join('.')}: ${issue.message}`).join('\n'),
    );
  }
  const problems = checkIds ? validateCatalog(parsed.data, checkIds) : [];
  if (problems.length > 0) throw new CatalogError(problems.map((p) => `catalog: ${p}`).join('\n'));
  return parsed.data;
}

/**
 * The packaged catalog (imported, so bundlers carry it into the Lambda), or another file when a
 * path is given. With checkIds the catalog must match the registry exactly.
 */
export function loadCatalog(
  options: {
    path?: string;
    checkIds?: readonly string[];
    /** Rows added to the packaged catalog (a service's own rows, in tests), validated with it. */
    extraItems?: readonly unknown[];
  } = {},
): Catalog {
  if (!options.path) {
    const items = [...packagedCatalog.items, ...(options.extraItems ?? [])];
    return parseCatalog({ ...packagedCatalog, items }, options.checkIds);
  }
  let text: string;
  try {
    text = readFileSync(options.path, 'utf8');
  } catch (err) {
    throw new CatalogError(`catalog ${options.path} cannot be read: ${(err as Error).message}`);
  }
  return parseCatalog(JSON.parse(text), options.checkIds);
}
