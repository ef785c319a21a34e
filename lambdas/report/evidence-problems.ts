import { accountRootArn } from '../checks/helpers';
import type { Check, Finding } from '../checks/types';
import { parseEvidenceKey } from '../evidence/evidence-io';
import type { EvidenceProblem } from './snapshots';

/** Whether a finding rests on the object (or, for an unreadable one, on its partition). */
function restsOn(finding: Finding, problem: EvidenceProblem): boolean {
  const cited = finding.evidence?.key;
  if (!cited) return false;
  if (problem.kind === 'integrity') return cited === problem.evidence.key;
  const place = parseEvidenceKey(cited);
  return (
    place !== undefined &&
    place.collector === problem.collector &&
    place.account === problem.account &&
    place.region === problem.region
  );
}

/**
 * Evidence that failed verification or cannot be read decides nothing: every finding of the
 * check resting on it becomes ERROR naming the problem, and when the object spoke for its whole
 * partition, a check over its collector that has no such finding gets one ERROR for the
 * object's account and region, so the problem cannot vanish with the resources it described.
 */
export function withEvidenceProblems(check: Check, findings: Finding[], problems: readonly EvidenceProblem[]): Finding[] {
  if (problems.length === 0) return findings;
  const decided = findings.map((finding) => {
    const problem = problems.find((p) => restsOn(finding, p));
    return problem ? { ...finding, status: 'ERROR' as const, detail: problem.message } : finding;
  });
  for (const problem of problems) {
    const concerned = problem.wholePartition && (check.collectors as readonly string[]).includes(problem.collector);
    if (!concerned || findings.some((finding) => restsOn(finding, problem))) continue;
    decided.push({
      check: check.id,
      resource: accountRootArn(problem.account),
      account: problem.account,
      region: problem.region,
      status: 'ERROR',
      detail: problem.message,
      ...('sha256' in problem.evidence ? { evidence: problem.evidence } : {}),
    });
  }
  return decided;
}
