import { itemFindingParts, MAX_EVIDENCE_PER_OBSERVATION, nameUuid, OSCAL_VERSION, prop } from '../report/oscal';
import type { PeriodItem, PeriodResult } from './types';

function observationFor(result: PeriodResult, item: PeriodItem) {
  const cited = new Map<string, string>();
  for (const drift of item.drift)
    for (const ref of drift.evidence) if (cited.size < MAX_EVIDENCE_PER_OBSERVATION) cited.set(ref.key, ref.sha256);
  for (const manual of item.manualEvidence)
    if (manual.validFrom && cited.size < MAX_EVIDENCE_PER_OBSERVATION) cited.set(manual.key, manual.sha256);
  const firstDrift = item.drift[0];
  return {
    uuid: nameUuid(result.generatedAt, 'period-observation', item.id),
    title: `${item.id} over ${result.from} – ${result.to}`,
    description:
      `Compliant ${(item.compliantShare * 100).toFixed(1)}% of the window; ${item.drift.length} FAIL/ERROR interval(s).` +
      (firstDrift
        ? ` First: ${firstDrift.check} on ${firstDrift.resource} ${firstDrift.status} from ${firstDrift.from} to ${firstDrift.to}${firstDrift.cause ? ` (${firstDrift.cause.eventName} by ${firstDrift.cause.principal})` : ''}.`
        : ''),
    props: [prop('compliant-share', String(item.compliantShare))],
    methods: item.kind === 'manual' ? ['EXAMINE'] : ['TEST'],
    types: ['finding'],
    ...(cited.size > 0
      ? {
          'relevant-evidence': [...cited].map(([key, sha256]) => ({
            href: key,
            description: `evidence object, SHA-256 ${sha256}`,
            props: [prop('sha256', sha256)],
          })),
        }
      : {}),
    collected: result.generatedAt,
  };
}

/** period.oscal.json: OSCAL assessment-results whose one result spans the window; one finding and observation per item. */
export function renderPeriodOscal(result: PeriodResult): string {
  const start = `${result.from}T00:00:00Z`;
  const end = new Date(Date.parse(`${result.to}T00:00:00Z`) + 86_400_000).toISOString();
  const observations = result.items.map((item) => observationFor(result, item));
  const findings = result.items.map((item, index) => ({
    uuid: nameUuid(result.generatedAt, 'period-finding', item.id),
    title: `${item.id} ${item.title}`,
    description: `${item.section}. Over the window: ${item.status}, compliant ${(item.compliantShare * 100).toFixed(1)}%.`,
    ...itemFindingParts(item),
    'related-observations': [{ 'observation-uuid': observations[index]!.uuid }],
  }));
  const criteria = [...new Set(result.items.flatMap((item) => item.criteria))].sort();
  const document = {
    'assessment-results': {
      uuid: nameUuid(result.generatedAt, 'period-assessment-results', result.from, result.to),
      metadata: {
        title: `SOC 2 for ML period assessment results ${result.from} – ${result.to}`,
        'last-modified': result.generatedAt,
        version: result.schema,
        'oscal-version': OSCAL_VERSION,
        props: [prop('generated-by', `${result.generatedBy.tool} ${result.generatedBy.version}`)],
      },
      'import-ap': { href: '#soc2-ml-checklist', remarks: 'SOC 2 for ML checklist' },
      results: [
        {
          uuid: nameUuid(result.generatedAt, 'period-result', result.from, result.to),
          title: `SOC 2 for ML audit window ${result.from} – ${result.to}`,
          description: `Reconstructed from the evidence of accounts ${result.accounts.join(', ') || 'none'}; regions ${result.regions.join(', ') || 'none'}.`,
          start,
          end,
          props: result.accounts.map((account) => prop('aws-account', account)),
          'reviewed-controls': {
            description: 'TSC 2017 criteria mapped by the SOC 2 for ML checklist',
            'control-selections': [{ 'include-controls': criteria.map((c) => ({ 'control-id': c.toLowerCase() })) }],
          },
          observations,
          findings,
        },
      ],
    },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
