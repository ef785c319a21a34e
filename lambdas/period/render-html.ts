import { STATUS_COLOURS } from '../report/charts';
import { escapeHtml as e } from '../report/escape';
import { type DriftInterval, type PeriodCheck, type PeriodItem, type PeriodResult, pushTo } from './types';

/** Resources drawn per item timeline; the rest are counted and left to period.csv. */
export const MAX_TIMELINE_ROWS = 25;
/** Drift intervals listed per item; the rest are in period.csv and populations/drift-intervals.csv. */
export const MAX_DRIFT_ROWS = 50;

const COLOURS: Record<string, string> = {
  ...STATUS_COLOURS,
  NOT_OBSERVED: '#bdbdbd',
  ABSENT: '#eeeeee',
};

const LABEL_WIDTH = 260;
const BAR_WIDTH = 560;
const ROW_HEIGHT = 18;

const duration = (seconds: number) => {
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
};
const badge = (status: string) => `<span class="badge" style="background:${COLOURS[status] ?? '#999'}">${e(status)}</span>`;
const shorten = (text: string, max: number) => (text.length > max ? `…${text.slice(-(max - 1))}` : text);

/** One bar per row across the window, a rectangle per interval coloured by status: red is FAIL. */
function timelineSvg(
  title: string,
  start: number,
  end: number,
  rows: { label: string; intervals: { status: string; from: string; to: string }[] }[],
): string {
  const x = (iso: string) => LABEL_WIDTH + ((Date.parse(iso) - start) / (end - start)) * BAR_WIDTH;
  const height = rows.length * ROW_HEIGHT + 24;
  const bars = rows.map((row, index) => {
    const y = index * ROW_HEIGHT + 2;
    const rects = row.intervals.map((interval) => {
      const left = x(interval.from);
      const width = Math.max(0.5, x(interval.to) - left);
      return `<rect x="${left.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="${ROW_HEIGHT - 4}" fill="${COLOURS[interval.status] ?? '#999'}"><title>${e(`${row.label}: ${interval.status} ${interval.from} – ${interval.to}`)}</title></rect>`;
    });
    return `<text x="${LABEL_WIDTH - 6}" y="${y + 11}" text-anchor="end">${e(shorten(row.label, 40))}</text>${rects.join('')}`;
  });
  const axisY = rows.length * ROW_HEIGHT + 16;
  const first = new Date(start).toISOString().slice(0, 10);
  const last = new Date(end - 1).toISOString().slice(0, 10);
  return `<svg class="timeline" role="img" aria-label="${e(title)}" viewBox="0 0 ${LABEL_WIDTH + BAR_WIDTH + 10} ${height}" width="100%" xmlns="http://www.w3.org/2000/svg"><title>${e(title)}</title>${bars.join('')}<text x="${LABEL_WIDTH}" y="${axisY}">${e(first)}</text><text x="${LABEL_WIDTH + BAR_WIDTH}" y="${axisY}" text-anchor="end">${e(last)}</text></svg>`;
}

function driftTable(drift: DriftInterval[]): string {
  if (drift.length === 0) return '<p class="ok">No FAIL or ERROR interval in the window.</p>';
  const rows = drift
    .slice(0, MAX_DRIFT_ROWS)
    .map(
      (d) =>
        `<tr><td>${badge(d.status)}</td><td><code>${e(d.check)}</code></td><td class="arn">${e(d.resource)}</td><td>${e(d.from)}</td><td>${e(d.to)}</td><td>${e(duration(d.seconds))}${d.remediated ? '' : ' <small>(not remediated in the window)</small>'}</td><td>${d.cause ? `${e(d.cause.principal)}<br><small>${e(d.cause.eventName)} ${e(d.cause.eventId)} at ${e(d.cause.time)}</small>` : '<small>observed by a collection</small>'}</td><td>${d.remediatedBy ? `${e(d.remediatedBy.principal)}<br><small>${e(d.remediatedBy.eventName)} at ${e(d.remediatedBy.time)}</small>` : ''}</td></tr>`,
    );
  const more = drift.length > MAX_DRIFT_ROWS ? `<p>${drift.length - MAX_DRIFT_ROWS} more in period.csv.</p>` : '';
  return `<table><thead><tr><th>Status</th><th>Check</th><th>Resource</th><th>From</th><th>To</th><th>Time to remediate</th><th>Who / what changed it</th><th>Fixed by</th></tr></thead><tbody>${rows.join('')}</tbody></table>${more}`;
}

function itemSection(item: PeriodItem, checks: PeriodCheck[], start: number, end: number): string {
  const drifting = checks.filter((c) => c.intervals.some((i) => i.status === 'FAIL' || i.status === 'ERROR'));
  const shown = drifting.slice(0, MAX_TIMELINE_ROWS);
  const svg = timelineSvg(`${item.id} over the window`, start, end, [
    { label: `${item.id} (item)`, intervals: item.intervals },
    ...shown.map((c) => ({ label: `${c.check} ${c.resource}`, intervals: c.intervals })),
  ]);
  const more =
    drifting.length > shown.length ? `<p>${drifting.length - shown.length} more drifting resources in period.csv.</p>` : '';
  const manual = item.manualEvidence.length
    ? `<h4>Manual evidence</h4><ul>${item.manualEvidence
        .map(
          (m) =>
            `<li>${e(m.fileName)} uploaded ${e(m.uploadedAt)} by ${e(m.uploadedBy)}: ${m.validFrom ? `valid ${e(m.validFrom)} – ${e(m.validTo ?? '')} (${e(duration(m.validSeconds))})` : 'not valid at any time of the window'} <small>${e(m.key)} sha256 ${e(m.sha256)}</small></li>`,
        )
        .join('')}</ul>`
    : item.kind === 'auto'
      ? ''
      : '<p>No manual evidence covers any part of the window.</p>';
  const facts = item.notReconstructed.length
    ? `<p><small>Not reconstructed (store facts of the day, see the daily reports): ${item.notReconstructed.map((c) => `<code>${e(c)}</code>`).join(', ')}</small></p>`
    : '';
  return `<section class="item" id="${e(item.id)}"><h3>${e(item.id)} ${e(item.title)} ${badge(item.status)} <small>${(item.compliantShare * 100).toFixed(1)}% of the window compliant</small></h3>${svg}${more}${driftTable(item.drift)}${manual}${facts}</section>`;
}

/** period.html: a timeline per item (red where a control failed), its drift intervals with who and when, printable. */
export function renderPeriodHtml(result: PeriodResult): string {
  const start = Date.parse(`${result.from}T00:00:00Z`);
  const end = Date.parse(`${result.to}T00:00:00Z`) + 86_400_000;
  const byItem = new Map<string, PeriodCheck[]>();
  for (const check of result.checks) for (const id of check.items) pushTo(byItem, id, check);
  const overview = timelineSvg(
    'Every item over the window',
    start,
    end,
    result.items.map((item) => ({ label: item.id, intervals: item.intervals })),
  );
  const legend = Object.entries(COLOURS)
    .filter(([status]) => status !== 'STALE')
    .map(([status, colour]) => `<span class="badge" style="background:${colour}">${e(status)}</span>`)
    .join(' ');
  const populations = result.populations
    .map(
      (p) =>
        `<tr><td><a href="${e(p.file)}">${e(p.name)}</a></td><td>${e(p.description)}</td><td>${p.size}</td><td>${p.sample.size} with seed ${p.sample.seed}</td><td class="arn">${p.sample.rows.map(e).join('<br>')}</td></tr>`,
    )
    .join('');
  const problems = result.problems.length
    ? `<h2>Evidence left out</h2><ul>${result.problems.map((p) => `<li>${e(p)}</li>`).join('')}</ul>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${e(`SOC 2 for ML period ${result.from} – ${result.to}`)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%;margin:.5em 0}td,th{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top;font-size:13px}
.badge{color:#fff;border-radius:3px;padding:1px 6px;font-size:12px;font-weight:600}
.arn{word-break:break-all;font-family:monospace;font-size:12px}
svg text{font-size:11px;font-family:system-ui,sans-serif}
.item{border-top:1px solid #ccc;margin-top:1.5em}.ok{color:#2e7d32}
@media print{body{margin:0}.item{break-inside:avoid-page}a{color:inherit;text-decoration:none}}
</style></head><body>
<h1>SOC 2 for ML: the audit window ${e(result.from)} – ${e(result.to)}</h1>
<p>Reconstructed ${e(result.generatedAt)} by ${e(result.generatedBy.tool)} ${e(result.generatedBy.version)} from the evidence alone, for accounts ${e(result.accounts.join(', ') || 'none')} and regions ${e(result.regions.join(', ') || 'global only')}. Time without fresh evidence is NOT_OBSERVED, never assumed PASS.</p>
<p>${legend}</p>
<h2>Items over the window</h2>
${overview}
<table><thead><tr><th>Item</th><th>Status over the window</th><th>Compliant share</th><th>Drift intervals</th></tr></thead><tbody>${result.items
    .map(
      (item) =>
        `<tr><td><a href="#${e(item.id)}">${e(item.id)}</a> ${e(item.title)}</td><td>${badge(item.status)}</td><td>${(item.compliantShare * 100).toFixed(1)}%</td><td>${item.drift.length}</td></tr>`,
    )
    .join('')}</tbody></table>
<h2>Populations and samples</h2>
<table><thead><tr><th>Population</th><th>What it holds</th><th>Rows</th><th>Sample</th><th>Sampled rows</th></tr></thead><tbody>${populations}</tbody></table>
${problems}
<h2>Items</h2>
${result.items.map((item) => itemSection(item, byItem.get(item.id) ?? [], start, end)).join('\n')}
</body></html>
`;
}
