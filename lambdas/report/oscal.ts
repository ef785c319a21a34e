import { createHash } from 'node:crypto';
import type { EvaluatedItem, EvaluationResult, ReportFinding } from './result';

export const OSCAL_VERSION = '1.0.6';
/** Namespace of this project's OSCAL props. */
export const OSCAL_NS = 'https://github.com/soc2-ml-evidence/soc2-ml-evidence/ns/oscal';
/** Evidence objects cited per observation; the full list is in report.csv. */
export const MAX_EVIDENCE_PER_OBSERVATION = 50;

/** A version-4-shaped UUID derived from a name, so the same evaluation renders byte-identical OSCAL. */
export function nameUuid(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\n')).digest('hex');
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export const prop = (name: string, value: string) => ({ name, ns: OSCAL_NS, value });
const HOLDS = ['PASS', 'ATTESTED', 'NOT_APPLICABLE'];

function observationFor(result: EvaluationResult, item: EvaluatedItem, check: string, findings: ReportFinding[]) {
  const counts = new Map<string, number>();
  for (const finding of findings) counts.set(finding.status, (counts.get(finding.status) ?? 0) + 1);
  const notPassing = findings.filter((f) => f.status === 'FAIL' || f.status === 'ERROR' || f.status === 'EXCEPTED');
  const cited = new Map<string, string>();
  for (const finding of notPassing.length > 0 ? notPassing : findings) {
    if (finding.evidence && cited.size < MAX_EVIDENCE_PER_OBSERVATION) cited.set(finding.evidence.key, finding.evidence.sha256);
  }
  const evidence = [...cited].map(([key, sha256]) => ({
    href: key,
    description: `evidence object, SHA-256 ${sha256}`,
    props: [prop('sha256', sha256)],
  }));
  const summary = [...counts].map(([status, n]) => `${n} ${status}`).join(', ') || 'no findings';
  const firstProblem = notPassing[0] ? ` First: ${notPassing[0].resource}: ${notPassing[0].detail}` : '';
  return {
    uuid: nameUuid(result.generatedAt, 'observation', item.id, check),
    title: check,
    description: `Automated check ${check} for ${item.id}: ${summary}.${firstProblem}`,
    props: [prop('check', check)],
    methods: ['TEST'],
    types: ['finding'],
    ...(evidence.length > 0 ? { 'relevant-evidence': evidence } : {}),
    collected: result.generatedAt,
  };
}

function manualObservation(result: EvaluationResult, item: EvaluatedItem) {
  const fresh = item.manualEvidence.filter((m) => m.fresh);
  return {
    uuid: nameUuid(result.generatedAt, 'observation', item.id, 'manual'),
    title: `${item.id} manual evidence`,
    description: fresh.length
      ? `Manual evidence (${item.manualEvidenceRequired?.description}): ${fresh.map((m) => `${m.fileName} uploaded ${m.uploadedAt} by ${m.uploadedBy}`).join('; ')}.`
      : `Manual evidence (${item.manualEvidenceRequired?.description}) is missing or expired.`,
    methods: ['EXAMINE'],
    ...(fresh.length
      ? {
          'relevant-evidence': fresh.map((m) => ({
            href: m.key,
            description: `${m.fileName}, SHA-256 ${m.sha256}`,
            props: [prop('sha256', m.sha256)],
          })),
        }
      : {}),
    collected: result.generatedAt,
  };
}

/** The props and objective target of a checklist item's finding, in the report and in the period. */
export function itemFindingParts(item: { id: string; kind: string; criteria: string[]; status: string }) {
  const holds = HOLDS.includes(item.status);
  return {
    props: [
      prop('item-status', item.status),
      prop('item-kind', item.kind),
      ...item.criteria.map((c) => prop('tsc-criterion', c)),
    ],
    target: {
      type: 'objective-id',
      'target-id': item.id,
      description: `TSC ${item.criteria.join(', ')}`,
      status: {
        state: holds ? 'satisfied' : 'not-satisfied',
        reason: item.status === 'PASS' || item.status === 'ATTESTED' ? 'pass' : item.status === 'FAIL' ? 'fail' : 'other',
      },
    },
  };
}

/** report.oscal.json: OSCAL assessment-results, one finding per checklist item, one observation per check and item. */
export function renderOscal(result: EvaluationResult): string {
  const observations: object[] = [];
  const findings = result.items.map((item) => {
    const related: string[] = [];
    for (const check of item.checks) {
      const observation = observationFor(
        result,
        item,
        check,
        item.findings.filter((f) => f.check === check),
      );
      observations.push(observation);
      related.push(observation.uuid);
    }
    if (item.manualEvidenceRequired) {
      const observation = manualObservation(result, item);
      observations.push(observation);
      related.push(observation.uuid);
    }
    return {
      uuid: nameUuid(result.generatedAt, 'finding', item.id),
      title: `${item.id} ${item.title}`,
      description: `${item.section}. Status ${item.status}.${item.reasons.length ? ` ${item.reasons.join('; ')}.` : ''}`,
      ...itemFindingParts(item),
      ...(related.length > 0 ? { 'related-observations': related.map((uuid) => ({ 'observation-uuid': uuid })) } : {}),
    };
  });
  const criteria = [...new Set(result.items.flatMap((item) => item.criteria))].sort();
  const document = {
    'assessment-results': {
      uuid: nameUuid(result.generatedAt, 'assessment-results'),
      metadata: {
        title: 'SOC 2 for ML evidence assessment results',
        'last-modified': result.generatedAt,
        version: result.catalogVersion,
        'oscal-version': OSCAL_VERSION,
        props: [prop('generated-by', `${result.generatedBy.tool} ${result.generatedBy.version}`)],
      },
      // There is no separate assessment plan document: the catalog plays that role.
      'import-ap': { href: '#soc2-ml-checklist', remarks: `SOC 2 for ML checklist, catalog ${result.catalogVersion}` },
      results: [
        {
          uuid: nameUuid(result.generatedAt, 'result'),
          title: `SOC 2 for ML evaluation ${result.generatedAt}`,
          description: `Accounts ${result.accounts.join(', ') || 'none'}; regions ${result.regions.join(', ') || 'none'}.`,
          start: result.generatedAt,
          end: result.generatedAt,
          props: result.accounts.map((account) => prop('aws-account', account)),
          'reviewed-controls': {
            description: 'TSC 2017 criteria mapped by the SOC 2 for ML checklist',
            'control-selections': [{ 'include-controls': criteria.map((c) => ({ 'control-id': c.toLowerCase() })) }],
          },
          ...(observations.length > 0 ? { observations } : {}),
          findings,
        },
      ],
    },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
