import { renderPeriodFiles } from '../../../lambdas/period/produce';
import { oscalValidator } from '../../helpers/oscal';
import { type TempStore, tempStore } from '../integrity/fixtures';
import { PRINCIPAL, periodOf, recollectionAt, snapshotAt } from './fixtures';

let temp: TempStore;
beforeEach(async () => {
  temp = await tempStore();
  await snapshotAt(temp.store, '2026-10-01T06:00:00.000Z', true);
  await recollectionAt(temp.store, '2026-10-01T10:00:20.000Z', false, {
    eventName: 'DisableKeyRotation',
    eventId: 'e-<script>',
    eventTime: '2026-10-01T10:00:00Z',
  });
  await snapshotAt(temp.store, '2026-10-02T06:00:00.000Z', false);
});
afterEach(() => temp.cleanup());

describe('period renderers', () => {
  it('period.oscal.json is valid OSCAL 1.0.6 assessment-results spanning the window', async () => {
    // Act
    const files = renderPeriodFiles(await periodOf(temp.store, '2026-10-01', '2026-10-02'));
    const document = JSON.parse(files.get('period.oscal.json')!);

    // Assess
    const validate = oscalValidator();
    expect(validate(document) ? [] : validate.errors).toEqual([]);
    const [result] = document['assessment-results'].results;
    expect([result.start, result.end]).toEqual(['2026-10-01T00:00:00Z', '2026-10-03T00:00:00.000Z']);
    const finding = result.findings.find((f: { target: { 'target-id': string } }) => f.target['target-id'] === 'SEC-DP-3');
    expect(finding.target.status.state).toBe('not-satisfied');
  });

  it('period.html draws each item as a timeline, red where it failed, and escapes what the evidence says', async () => {
    // Act
    const html = renderPeriodFiles(await periodOf(temp.store, '2026-10-01', '2026-10-02')).get('period.html')!;

    // Assess
    expect(html).toContain('<section class="item" id="SEC-DP-3">');
    expect(html).toMatch(/<rect [^>]*fill="#c62828"><title>SEC-DP-3 \(item\): FAIL 2026-10-01T10:00:00\.000Z/);
    expect(html).toContain(PRINCIPAL);
    expect(html).not.toContain('e-<script>');
    expect(html).toContain('@media print');
  });
});
