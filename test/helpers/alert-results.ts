import type { EvaluationResult, ReportFinding } from '../../lambdas/report/result';

/**
 * The slice of an evaluation result the alert state reads: one checklist item listing every
 * check of the findings (and evidence.integrity, a facts-only check that is never tracked);
 * checks named `evidence.*` have no collector, the others read `collector`'s evidence.
 */
export function evaluationOf(
  findings: ReportFinding[],
  item = { id: 'SEC-DP-3', criteria: ['CC6.1', 'C1.1'] },
): EvaluationResult {
  const checks = [...new Set([...findings.map((f) => f.check), 'evidence.integrity'])];
  return {
    items: [{ ...item, checks, findings }],
    checks: checks.map((id) => ({
      id,
      collectors: id.startsWith('evidence.') ? [] : [id.split('.')[0]],
      passCondition: '',
      remediation: '',
    })),
    // Only items and checks are read by the alert state; the rest of a result is irrelevant here.
  } as unknown as EvaluationResult;
}
