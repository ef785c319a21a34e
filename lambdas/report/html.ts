import { packagedTemplate, renderTemplateMarkdown } from '../catalog/templates';
import type { FindingStatus } from '../checks/types';
import { type BarRow, inventoryGraph, STATUS_COLOURS, stackedBarChart, trendChart } from './charts';
import { escapeHtml as e } from './escape';
import { describeManualStatus, manualStatus } from './manual-status';
import {
  type EvaluatedItem,
  type EvaluationResult,
  type ExceptionView,
  type IntegrityView,
  ITEM_STATUSES,
  type ItemStatus,
  passRate,
  passRateSentence,
  type ReportFinding,
  type ReportHistoryPoint,
} from './result';

/** Findings listed per item; the rest are counted and left to report.csv, so the file stays small. */
export const MAX_FINDINGS_PER_ITEM = 50;

/** What a reader must act on first, in this order. */
const ATTENTION: FindingStatus[] = ['FAIL', 'ERROR', 'EXCEPTED'];

export const TSC_CATEGORIES: { label: string; pattern: RegExp }[] = [
  { label: 'Security (CC)', pattern: /^CC/ },
  { label: 'Availability (A)', pattern: /^A\d/ },
  { label: 'Processing integrity (PI)', pattern: /^PI/ },
  { label: 'Confidentiality (C)', pattern: /^C\d/ },
  { label: 'Privacy (P)', pattern: /^P\d/ },
];

const emptyCounts = () => Object.fromEntries(ITEM_STATUSES.map((s) => [s, 0])) as Record<ItemStatus, number>;

/** Items per status by TSC category; an item mapped to several categories counts in each. */
export function statusByCategory(items: EvaluatedItem[]): BarRow[] {
  return TSC_CATEGORIES.map(({ label, pattern }) => {
    const counts = emptyCounts();
    for (const item of items) if (item.criteria.some((c) => pattern.test(c))) counts[item.status] += 1;
    return { label, counts };
  });
}

export function statusBySection(items: EvaluatedItem[]): BarRow[] {
  const rows = new Map<string, Record<ItemStatus, number>>();
  for (const item of items) {
    const counts = rows.get(item.section) ?? emptyCounts();
    counts[item.status] += 1;
    rows.set(item.section, counts);
  }
  return [...rows].map(([label, counts]) => ({ label, counts }));
}

const badge = (status: string) => `<span class="badge s-${e(status)}">${e(status.replace('_', ' '))}</span>`;

function findingRows(findings: ReportFinding[]): string {
  const attention = ATTENTION.flatMap((status) => findings.filter((f) => f.status === status));
  if (attention.length === 0) return '';
  const shown = attention
    .slice(0, MAX_FINDINGS_PER_ITEM)
    .map(
      (f) =>
        `<tr><td>${badge(f.status)}</td><td><code>${e(f.check)}</code></td><td class="arn">${e(f.resource)}</td><td>${e(f.account)}</td><td>${e(f.region)}</td><td>${e(f.detail)}${f.exception ? `<br><small>justification: ${e(f.exception.justification)}</small>` : ''}</td><td class="ev">${f.evidence ? `${e(f.evidence.key)}<br><small>sha256 ${e(f.evidence.sha256)}</small>` : '<small>store facts</small>'}</td></tr>`,
    );
  const more = attention.length - shown.length;
  return `<table class="findings"><thead><tr><th>Status</th><th>Check</th><th>Resource</th><th>Account</th><th>Region</th><th>Detail</th><th>Evidence (key, SHA-256)</th></tr></thead><tbody>${shown.join('')}</tbody></table>${more > 0 ? `<p class="more">${more} more in report.csv</p>` : ''}`;
}

/** Statuses whose items link to their evidence template and say what is missing. */
const TEMPLATE_LINKED: ItemStatus[] = ['NEEDS_EVIDENCE', 'STALE'];

const templateAnchor = (itemId: string) => `template-${itemId}`;

/**
 * Items the report links to a template: NEEDS_EVIDENCE and STALE ones, and any other whose manual
 * evidence is missing or expired (a FAIL hides that), when there is a template to act on.
 */
function templateLinked(item: EvaluatedItem): boolean {
  if (item.manualEvidenceRequired === null || packagedTemplate(item.id) === undefined) return false;
  return TEMPLATE_LINKED.includes(item.status) || manualStatus(item).state !== 'fresh';
}

/** Under the title of a NEEDS_EVIDENCE or STALE item: exactly what is missing or expired, and its template. */
function actionLine(item: EvaluatedItem): string {
  if (!templateLinked(item)) return '';
  const stale = item.status === 'STALE' ? ` Stale automated evidence: ${item.reasons.join('; ')}.` : '';
  return `<p class="todo">${e(describeManualStatus(item))}${e(stale)} <a href="#${e(templateAnchor(item.id))}">Evidence template</a></p>`;
}

/** The templates of the linked items, as Markdown to copy (the same text `soc2-ml templates` writes). */
function templatesSection(result: EvaluationResult): string {
  const linked = result.items.filter(templateLinked);
  if (linked.length === 0) return '';
  const sections = linked.map((item) => {
    const markdown = renderTemplateMarkdown(
      { ...item, manualEvidence: item.manualEvidenceRequired },
      packagedTemplate(item.id)!,
      result.checks,
    );
    return `<section id="${e(templateAnchor(item.id))}"><h3><a href="#${e(item.id)}">${e(item.id)}</a>: ${e(item.title)}</h3><pre class="template">${e(markdown)}</pre></section>`;
  });
  return `<h2>Evidence templates</h2>
<p class="meta">For every item that needs evidence now. <code>soc2-ml templates</code> writes them all as Markdown files.</p>
${sections.join('\n')}`;
}

function itemRow(item: EvaluatedItem, result: EvaluationResult): string {
  const counts = Object.fromEntries(['PASS', 'FAIL', 'ERROR', 'EXCEPTED', 'NOT_APPLICABLE'].map((s) => [s, 0])) as Record<
    FindingStatus,
    number
  >;
  for (const finding of item.findings) counts[finding.status] += 1;
  const countText = (Object.entries(counts) as [FindingStatus, number][])
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s.replace('_', ' ').toLowerCase()}`)
    .join(', ');
  const checks = item.checks
    .map((id) => result.checks.find((c) => c.id === id))
    .map((c, i) =>
      c
        ? `<li><code>${e(c.id)}</code>: ${e(c.passCondition)}<br><small>Remediation: ${e(c.remediation)}</small></li>`
        : `<li><code>${e(item.checks[i]!)}</code>: not implemented</li>`,
    );
  const manual = item.manualEvidenceRequired
    ? `<p>Manual evidence: ${e(item.manualEvidenceRequired.description)} (fresh for ${item.manualEvidenceRequired.freshnessDays} days)</p>${
        item.manualEvidence.length
          ? `<ul>${item.manualEvidence.map((m) => `<li>${e(m.fileName)} by ${e(m.uploadedBy)} at ${e(m.uploadedAt)}, ${m.fresh ? 'fresh' : 'expired'} (due ${e(m.dueAt)}), <small>${e(m.key)} sha256 ${e(m.sha256)}</small></li>`).join('')}</ul>`
          : '<p>None uploaded.</p>'
      }`
    : '';
  const reasons = item.reasons.length ? `<ul class="reasons">${item.reasons.map((r) => `<li>${e(r)}</li>`).join('')}</ul>` : '';
  return `<tr id="${e(item.id)}"><td><b>${e(item.id)}</b></td><td><details><summary>${e(item.title)}</summary>${reasons}${checks.length ? `<ul>${checks.join('')}</ul>` : ''}${manual}${findingRows(item.findings)}</details>${actionLine(item)}</td><td>${e(item.criteria.join(', '))}</td><td>${e(item.kind)}</td><td>${badge(item.status)}</td><td><small>${e(countText)}</small></td></tr>`;
}

function exceptionRows(exceptions: ExceptionView[]): string {
  if (exceptions.length === 0) return '<p>None.</p>';
  return `<table><thead><tr><th>Check</th><th>Resource pattern</th><th>Approver</th><th>Expires</th><th>Justification</th><th>Findings</th></tr></thead><tbody>${exceptions
    .map(
      (x) =>
        `<tr><td><code>${e(x.check)}</code></td><td class="arn">${e(x.resource)}</td><td>${e(x.approver)}</td><td>${e(x.expires)}</td><td>${e(x.justification)}</td><td>${x.matched}</td></tr>`,
    )
    .join('')}</tbody></table>`;
}

const CSS = `
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#222}
h1{margin:0 0 4px}h2{margin-top:32px;border-bottom:1px solid #ddd}
.meta{color:#555}.headline{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.tile{border-radius:6px;padding:8px 14px;color:#fff;min-width:90px}.tile b{display:block;font-size:24px}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #eee;padding:4px 6px;text-align:left;vertical-align:top}
.badge{display:inline-block;border-radius:4px;padding:1px 6px;color:#fff;font-size:12px;white-space:nowrap}
${Object.entries(STATUS_COLOURS)
  .map(([s, c]) => `.s-${s}{background:${c}}`)
  .join('')}
.arn,.ev{word-break:break-all;font-family:ui-monospace,monospace;font-size:12px}.more{color:#555;font-style:italic}
.chart text,.graph text{font-size:11px}.graph .node{fill:#e3f2fd;stroke:#1565c0}.graph .edge{stroke:#90a4ae}.graph .col{font-weight:bold}
details>summary{cursor:pointer}.findings{margin:8px 0;font-size:12px}
.items>tbody>tr>td:nth-child(2){width:56%}.items>tbody>tr>td:first-child{white-space:nowrap}
.todo{margin:4px 0;font-size:12px}.template{white-space:pre-wrap;font-size:12px;background:#f7f7f7;padding:8px}
.findings td,.findings th{padding:3px 4px}.findings .arn{min-width:12em}.findings .ev{min-width:15em;font-size:11px}
@media print{details{display:block}details>*{display:block}.chart,.graph{break-inside:avoid}body{margin:0}a{color:inherit}}
`;

/** The digest chain's state and the public keys an auditor verifies it with (`soc2-ml verify`). */
function integritySection(integrity: IntegrityView): string {
  const state = integrity.verified
    ? `${badge('PASS')} ${integrity.digests} digest(s) verified`
    : `${badge('FAIL')} ${integrity.problems} problem(s) in ${integrity.digests} digest(s): run <code>soc2-ml verify</code>`;
  const heads = integrity.heads.length
    ? `<table><thead><tr><th>Chain</th><th>Last period</th><th>Last digest</th></tr></thead><tbody>${integrity.heads
        .map(
          (h) =>
            `<tr><td>${e(h.chain)}</td><td>${e(h.periodId)}</td><td class="ev">${e(h.key)}<br><small>sha256 ${e(h.sha256)}</small></td></tr>`,
        )
        .join('')}</tbody></table>`
    : '<p>No digest sealed yet.</p>';
  const keys = integrity.publicKeys
    .map(
      (k) =>
        `<details><summary class="ev">${e(k.key)} (fingerprint ${e(k.fingerprint)})</summary><pre class="ev">${e(k.pem)}</pre></details>`,
    )
    .join('');
  return `<h2>Evidence integrity</h2>
<p>${state}</p>${heads}
<p class="meta">Public keys that verify the digests offline:</p>${keys || '<p>None stored.</p>'}`;
}

/** report.html: one self-contained file (inline CSS and SVG, no script, no network). */
export function renderHtml(result: EvaluationResult, history: ReportHistoryPoint[] = []): string {
  const tiles = ITEM_STATUSES.map(
    (s) => `<div class="tile" style="background:${STATUS_COLOURS[s]}"><b>${result.summary[s]}</b>${e(s.replace('_', ' '))}</div>`,
  ).join('');
  const due = result.manualEvidenceDue.filter((d) => d.state !== 'fresh');
  const trend =
    history.length > 0
      ? `<h2>Pass-rate trend</h2>${trendChart([...history, { generatedAt: result.generatedAt, summary: result.summary }])}`
      : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>SOC 2 for ML report ${e(result.generatedAt)}</title><style>${CSS}</style></head><body>
<h1>SOC 2 for ML evidence report</h1>
<p class="meta">Generated ${e(result.generatedAt)} by ${e(result.generatedBy.tool)} ${e(result.generatedBy.version)}, catalog ${e(result.catalogVersion)}. Accounts: ${e(result.accounts.join(', ') || 'none')}. Regions: ${e(result.regions.join(', ') || 'none')}.</p>
<div class="headline">${tiles}<div class="tile" style="background:#37474f"><b>${(passRate(result.summary) * 100).toFixed(0)}%</b>pass rate, all items</div></div>
<p class="meta">${e(passRateSentence(result.items))}</p>
<p class="meta">Findings: ${Object.entries(result.findingSummary)
    .map(([s, n]) => `${n} ${e(s)}`)
    .join(', ')}.</p>
<h2>Status by TSC category</h2>${stackedBarChart('Item status by TSC category', statusByCategory(result.items))}
<h2>Status by checklist section</h2>${stackedBarChart('Item status by checklist section', statusBySection(result.items))}
${trend}
<h2>Checklist items</h2>
<table class="items"><thead><tr><th>ID</th><th>Item (expand for checks and failing resources)</th><th>Criteria</th><th>Kind</th><th>Status</th><th>Findings</th></tr></thead><tbody>
${result.items.map((item) => itemRow(item, result)).join('\n')}
</tbody></table>
<h2>Manual evidence due</h2>
${due.length ? `<table><thead><tr><th>Item</th><th>Evidence</th><th>State</th><th>Due</th><th>Template</th></tr></thead><tbody>${due.map((d) => `<tr><td><a href="#${e(d.itemId)}">${e(d.itemId)}</a></td><td>${e(d.description)}</td><td>${e(d.state)}</td><td>${e(d.dueAt ?? 'now')}</td><td>${result.items.some((i) => i.id === d.itemId && templateLinked(i)) ? `<a href="#${e(templateAnchor(d.itemId))}">template</a>` : ''}</td></tr>`).join('')}</tbody></table>` : '<p>All manual evidence is fresh.</p>'}
<h2>Exceptions applied</h2>${exceptionRows(result.exceptions.applied)}
<h2>Exceptions expired (no longer applied)</h2>${exceptionRows(result.exceptions.expired)}
<h2>ML inventory and data flow</h2>
<p class="meta">${e(
    Object.entries(result.inventory.counts)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ') || 'none',
  )}; ${result.inventory.edges.length} data flows.</p>
${inventoryGraph(result.inventory)}
${templatesSection(result)}
${result.integrity ? integritySection(result.integrity) : ''}
<h2>Evidence used</h2>
<table><thead><tr><th>Collector</th><th>Account</th><th>Region</th><th>Collected</th><th>Resources</th><th>Errors</th><th>Newer events</th><th>Evidence object</th></tr></thead><tbody>${result.collections
    .map(
      (c) =>
        `<tr><td>${e(c.collector)}</td><td>${e(c.account)}</td><td>${e(c.region)}</td><td>${e(c.collectedAt)}${c.stale ? ` ${badge('STALE')}` : ''}</td><td>${c.resources}</td><td>${c.errors}</td><td>${c.overlays}</td><td class="ev">${e(c.evidence.key)}<br><small>sha256 ${e(c.evidence.sha256)}</small></td></tr>`,
    )
    .join('')}</tbody></table>
</body></html>
`;
}
