import * as layout from '../../../lambdas/evidence/layout';
import { CHANGE_HANDLER_ACTIONS, EVALUATE_HANDLER_ACTIONS, REPORT_HANDLER_ACTIONS } from '../../../lambdas/handlers/permissions';

const TOP_LEVEL = [
  layout.EVIDENCE_FOLDER,
  layout.MANUAL_ROOT,
  layout.INBOX_ROOT,
  layout.DIGESTS_FOLDER,
  layout.STATE_FOLDER,
  layout.REPORTS_ROOT,
  layout.RUNS_FOLDER,
];

describe('evidence bucket layout', () => {
  it('keeps every sealed prefix and every log of the evidence layout inside a write-once folder', () => {
    // Arrange
    const sealed = [
      ...layout.SEALED_ROOTS,
      layout.CHANGE_LOG_PREFIX,
      layout.ALERT_LOG_PREFIX,
      layout.INTAKE_LOG_PREFIX,
      layout.DIGESTS_ROOT,
      layout.PUBLIC_KEYS_PREFIX,
    ];
    // Assess
    for (const prefix of sealed) {
      expect(layout.WRITE_ONCE_PREFIXES.some((folder) => prefix.startsWith(folder))).toBe(true);
    }
  });

  it('files the organisation run summaries under their folder', () => {
    expect(layout.RUN_SUMMARY_PREFIX.startsWith(layout.RUNS_FOLDER)).toBe(true);
  });

  it('keeps the replaced state and reports out of the write-once folders', () => {
    for (const key of [layout.FINDING_STATE_KEY, layout.REMINDER_STATE_KEY, layout.LATEST_HTML_REPORT_KEY]) {
      expect(layout.WRITE_ONCE_PREFIXES.some((folder) => key.startsWith(folder))).toBe(false);
    }
  });

  it('names in the handler grant tables only keys under a folder of the layout', () => {
    // Arrange
    const objects = [...CHANGE_HANDLER_ACTIONS, ...EVALUATE_HANDLER_ACTIONS, ...REPORT_HANDLER_ACTIONS].flatMap(
      (grant) => grant.objects ?? [],
    );
    // Assess
    expect(objects.length).toBeGreaterThan(0);
    for (const key of objects) expect(TOP_LEVEL.some((folder) => key.startsWith(folder))).toBe(true);
  });
});
