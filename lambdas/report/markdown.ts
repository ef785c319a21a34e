import { type EvaluationResult, ITEM_STATUSES, passRateSentence } from './result';

/** Findings listed per item in Markdown; PR comments and wiki pages have size limits. */
export const MAX_MARKDOWN_FINDINGS_PER_ITEM = 10;

/** Table cells must not break the table or inject markup: pipes, newlines and HTML are neutralised. */
export function markdownCell(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** report.md: a summary for pull requests and wikis, with the failing resources of each item. */
export function renderMarkdown(result: EvaluationResult): string {
  const lines: string[] = [
    '# SOC 2 for ML evidence report',
    '',
    `Generated ${result.generatedAt}; accounts ${result.accounts.join(', ') || 'none'}; regions ${result.regions.join(', ') || 'none'}.`,
    '',
    passRateSentence(result.items),
    '',
    `| ${ITEM_STATUSES.join(' | ')} |`,
    `|${ITEM_STATUSES.map(() => '---:').join('|')}|`,
    `| ${ITEM_STATUSES.map((s) => result.summary[s]).join(' | ')} |`,
    '',
    '## Items',
    '',
    '| ID | Item | Criteria | Kind | Status |',
    '|---|---|---|---|---|',
    ...result.items.map(
      (item) => `| ${item.id} | ${markdownCell(item.title)} | ${item.criteria.join(', ')} | ${item.kind} | **${item.status}** |`,
    ),
  ];
  const attention = result.items.filter((item) => !['PASS', 'ATTESTED', 'NOT_APPLICABLE'].includes(item.status));
  if (attention.length > 0) lines.push('', '## Needs attention');
  for (const item of attention) {
    lines.push('', `### ${item.id} ${markdownCell(item.title)}: ${item.status}`, '');
    for (const reason of item.reasons) lines.push(`- ${markdownCell(reason)}`);
    const findings = item.findings.filter((f) => f.status === 'FAIL' || f.status === 'ERROR');
    if (findings.length === 0) continue;
    lines.push('', '| Status | Check | Resource | Detail |', '|---|---|---|---|');
    for (const f of findings.slice(0, MAX_MARKDOWN_FINDINGS_PER_ITEM)) {
      lines.push(`| ${f.status} | \`${f.check}\` | \`${markdownCell(f.resource)}\` | ${markdownCell(f.detail)} |`);
    }
    if (findings.length > MAX_MARKDOWN_FINDINGS_PER_ITEM) {
      lines.push('', `${findings.length - MAX_MARKDOWN_FINDINGS_PER_ITEM} more in report.csv.`);
    }
  }
  const due = result.manualEvidenceDue.filter((d) => d.state !== 'fresh');
  if (due.length > 0) {
    lines.push('', '## Manual evidence due', '', '| Item | Evidence | State | Due |', '|---|---|---|---|');
    for (const d of due) lines.push(`| ${d.itemId} | ${markdownCell(d.description)} | ${d.state} | ${d.dueAt ?? 'now'} |`);
  }
  const exceptions = [
    ...result.exceptions.applied.map((x) => ({ ...x, state: 'applied' })),
    ...result.exceptions.expired.map((x) => ({ ...x, state: 'expired' })),
  ];
  if (exceptions.length > 0) {
    lines.push(
      '',
      '## Exceptions',
      '',
      '| State | Check | Resource | Approver | Expires | Findings |',
      '|---|---|---|---|---|---|',
    );
    for (const x of exceptions) {
      lines.push(
        `| ${x.state} | \`${x.check}\` | \`${markdownCell(x.resource)}\` | ${markdownCell(x.approver)} | ${x.expires} | ${x.matched} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
