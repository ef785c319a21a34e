import { INVENTORY_KINDS, type MlInventory } from '../checks/ml-inventory';
import { escapeHtml } from './escape';
import { ITEM_STATUSES, type ItemStatus, passRate, type ReportHistoryPoint } from './result';

export const STATUS_COLOURS: Record<ItemStatus | 'EXCEPTED', string> = {
  PASS: '#2e7d32',
  ATTESTED: '#558b2f',
  FAIL: '#c62828',
  ERROR: '#6a1b9a',
  STALE: '#ef6c00',
  NEEDS_EVIDENCE: '#f9a825',
  NOT_APPLICABLE: '#9e9e9e',
  EXCEPTED: '#0277bd',
};

export interface BarRow {
  label: string;
  counts: Record<ItemStatus, number>;
}

/** Horizontal stacked bars, one row per label, segments per item status. */
export function stackedBarChart(title: string, rows: BarRow[]): string {
  const labelWidth = 220;
  const barWidth = 480;
  const rowHeight = 22;
  const height = rows.length * rowHeight + 30;
  const max = Math.max(1, ...rows.map((row) => ITEM_STATUSES.reduce((sum, s) => sum + row.counts[s], 0)));
  const bars = rows.map((row, index) => {
    const y = index * rowHeight + 4;
    let x = labelWidth;
    const segments = ITEM_STATUSES.filter((s) => row.counts[s] > 0).map((status) => {
      const width = (row.counts[status] / max) * barWidth;
      const rect = `<rect x="${x.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="${rowHeight - 6}" fill="${STATUS_COLOURS[status]}"><title>${escapeHtml(`${row.label}: ${row.counts[status]} ${status}`)}</title></rect>`;
      x += width;
      return rect;
    });
    const total = ITEM_STATUSES.reduce((sum, s) => sum + row.counts[s], 0);
    return `<text x="${labelWidth - 6}" y="${y + 12}" text-anchor="end">${escapeHtml(row.label)}</text>${segments.join('')}<text x="${(x + 4).toFixed(1)}" y="${y + 12}">${total}</text>`;
  });
  // Each legend entry is as wide as its label (about 7 units per character at 11px), so long names never overlap.
  let legendX = 0;
  const legend = ITEM_STATUSES.map((status) => {
    const x = legendX;
    legendX += 14 + status.length * 7 + 18;
    return `<rect x="${x}" y="${height - 14}" width="10" height="10" fill="${STATUS_COLOURS[status]}"/><text x="${x + 14}" y="${height - 5}">${status}</text>`;
  });
  return `<svg class="chart" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${labelWidth + barWidth + 60} ${height}" width="100%" xmlns="http://www.w3.org/2000/svg"><title>${escapeHtml(title)}</title>${bars.join('')}${legend.join('')}</svg>`;
}

/** Pass rate over earlier reports and this one, as a line. */
export function trendChart(history: ReportHistoryPoint[]): string {
  const points = [...history].sort((a, b) => a.generatedAt.localeCompare(b.generatedAt));
  const width = 700;
  const height = 180;
  const pad = 30;
  const step = points.length > 1 ? (width - 2 * pad) / (points.length - 1) : 0;
  const coordinates = points.map((point, i) => {
    const rate = passRate(point.summary);
    return { x: pad + i * step, y: height - pad - rate * (height - 2 * pad), rate, at: point.generatedAt };
  });
  const line = coordinates.map((c) => `${c.x.toFixed(1)},${c.y.toFixed(1)}`).join(' ');
  const dots = coordinates.map(
    (c) =>
      `<circle cx="${c.x.toFixed(1)}" cy="${c.y.toFixed(1)}" r="3" fill="${STATUS_COLOURS.PASS}"><title>${escapeHtml(`${c.at}: ${(c.rate * 100).toFixed(1)}%`)}</title></circle>`,
  );
  const first = points[0]?.generatedAt.slice(0, 10) ?? '';
  const last = points[points.length - 1]?.generatedAt.slice(0, 10) ?? '';
  return `<svg class="chart" role="img" aria-label="Pass rate trend" viewBox="0 0 ${width} ${height}" width="100%" xmlns="http://www.w3.org/2000/svg"><title>Pass rate trend</title><line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="#999"/><line x1="${pad}" y1="${pad}" x2="${pad}" y2="${height - pad}" stroke="#999"/><text x="2" y="${pad + 4}">100%</text><text x="2" y="${height - pad}">0%</text><polyline fill="none" stroke="${STATUS_COLOURS.PASS}" stroke-width="2" points="${line}"/>${dots.join('')}<text x="${pad}" y="${height - 8}">${escapeHtml(first)}</text><text x="${width - pad}" y="${height - 8}" text-anchor="end">${escapeHtml(last)}</text></svg>`;
}

/** Most nodes drawn per column: a graph of thousands of jobs is summarised, not drawn. */
export const MAX_NODES_PER_COLUMN = 25;

/** The data-flow graph, one column per resource kind in data-flow order. */
export function inventoryGraph(inventory: MlInventory): string {
  const columns = INVENTORY_KINDS.map((kind) => ({ kind, nodes: inventory.nodes.filter((n) => n.kind === kind) })).filter(
    (column) => column.nodes.length > 0,
  );
  if (columns.length === 0) return '<p>No ML resources found in the latest evidence.</p>';
  const columnWidth = 170;
  const rowHeight = 26;
  const top = 30;
  const positions = new Map<string, { x: number; y: number }>();
  const parts: string[] = [];
  columns.forEach((column, c) => {
    const x = c * columnWidth + 10;
    parts.push(`<text x="${x}" y="16" class="col">${escapeHtml(`${column.kind} (${column.nodes.length})`)}</text>`);
    column.nodes.slice(0, MAX_NODES_PER_COLUMN).forEach((node, r) => {
      const y = top + r * rowHeight;
      positions.set(node.id, { x, y });
      parts.push(
        `<rect x="${x}" y="${y}" width="${columnWidth - 30}" height="${rowHeight - 8}" rx="4" class="node"><title>${escapeHtml(node.id)}</title></rect><text x="${x + 4}" y="${y + 13}">${escapeHtml(node.label.length > 22 ? `${node.label.slice(0, 21)}…` : node.label)}</text>`,
      );
    });
    if (column.nodes.length > MAX_NODES_PER_COLUMN) {
      parts.push(
        `<text x="${x}" y="${top + MAX_NODES_PER_COLUMN * rowHeight + 12}">${column.nodes.length - MAX_NODES_PER_COLUMN} more…</text>`,
      );
    }
  });
  const lines = inventory.edges
    .map((edge) => ({ from: positions.get(edge.from), to: positions.get(edge.to) }))
    .filter((e): e is { from: { x: number; y: number }; to: { x: number; y: number } } => !!e.from && !!e.to)
    .map(
      ({ from, to }) => `<line x1="${from.x + columnWidth - 30}" y1="${from.y + 9}" x2="${to.x}" y2="${to.y + 9}" class="edge"/>`,
    );
  const rows = Math.min(MAX_NODES_PER_COLUMN + 1, Math.max(...columns.map((c) => c.nodes.length)));
  const height = top + rows * rowHeight + 20;
  return `<svg class="graph" role="img" aria-label="ML data-flow graph" viewBox="0 0 ${columns.length * columnWidth + 20} ${height}" width="100%" xmlns="http://www.w3.org/2000/svg"><title>ML data-flow graph</title>${lines.join('')}${parts.join('')}</svg>`;
}
