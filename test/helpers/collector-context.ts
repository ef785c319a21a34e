import type { CollectorSettings } from '../../lambdas/collectors/types';

export const DEFAULT_TEST_SETTINGS: CollectorSettings = {
  concurrency: 4,
  lookbackDays: 90,
  credentialReportMaxAgeHours: 4,
};
