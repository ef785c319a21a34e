import { z } from 'zod';
import { FINDING_STATUSES } from '../checks/types';
import { type EvaluationResult, ITEM_STATUSES, passRates } from './result';

export const REPORT_SCHEMA = 'soc2-ml-report/v1';

const evidenceRefSchema = z.object({ key: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

/** report.json as CONTRACT.md fixes it; extra fields are additions a consumer may ignore. */
export const reportJsonSchema = z.object({
  schema: z.literal(REPORT_SCHEMA),
  generatedAt: z.iso.datetime(),
  accounts: z.array(z.string()),
  regions: z.array(z.string()),
  summary: z.object(
    Object.fromEntries(ITEM_STATUSES.map((s) => [s, z.number().int().nonnegative()])) as Record<
      (typeof ITEM_STATUSES)[number],
      z.ZodNumber
    >,
  ),
  items: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      section: z.string(),
      criteria: z.array(z.string()).min(1),
      kind: z.enum(['auto', 'partial', 'manual']),
      status: z.enum(ITEM_STATUSES),
      findings: z.array(
        z.object({
          check: z.string(),
          resource: z.string(),
          account: z.string(),
          region: z.string(),
          status: z.enum(FINDING_STATUSES),
          detail: z.string(),
          // Findings decided from store facts (evidence.*) have no evidence object to cite.
          evidence: evidenceRefSchema.optional(),
          exception: z.object({ approver: z.string(), expires: z.string(), justification: z.string() }).optional(),
        }),
      ),
      manualEvidence: z.array(
        z.object({
          key: z.string(),
          sha256: z.string(),
          fileName: z.string(),
          uploadedAt: z.string(),
          uploadedBy: z.string(),
          dueAt: z.string(),
          fresh: z.boolean(),
        }),
      ),
    }),
  ),
});
export type ReportJson = z.infer<typeof reportJsonSchema>;

/** The machine-readable report: the contract's fields first, then additions (reasons, checks, inventory...). */
export function renderJson(result: EvaluationResult): string {
  const report = {
    schema: REPORT_SCHEMA,
    generatedAt: result.generatedAt,
    generatedBy: result.generatedBy,
    catalogVersion: result.catalogVersion,
    accounts: result.accounts,
    regions: result.regions,
    summary: result.summary,
    findingSummary: result.findingSummary,
    // Items holding out of items counted, NOT_APPLICABLE left out: automated = kind auto PASS; all = PASS or ATTESTED.
    passRates: passRates(result.items),
    items: result.items.map((item) => ({
      id: item.id,
      title: item.title,
      section: item.section,
      criteria: item.criteria,
      kind: item.kind,
      status: item.status,
      reasons: item.reasons,
      checks: item.checks,
      findings: item.findings,
      manualEvidenceRequired: item.manualEvidenceRequired,
      manualEvidence: item.manualEvidence.map(({ itemId: _itemId, ...entry }) => entry),
    })),
    checks: result.checks,
    collections: result.collections,
    manualEvidenceDue: result.manualEvidenceDue,
    exceptions: result.exceptions,
    inventory: result.inventory,
    ...(result.integrity ? { integrity: result.integrity } : {}),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}
