import { INSPECTOR_ACCOUNT_TYPE, inspectorAccountConfigurationSchema } from '../evidence/resources/inspector';
import { parseConfiguration, schemaMismatch } from './framework';
import { fail, pass } from './helpers';
import { defineRegionalServiceCheck, resourcesOfType } from './regional-service';
import type { Check } from './types';

const mlScanning = defineRegionalServiceCheck({
  id: 'inspector.ml_scanning',
  collector: 'inspector',
  passCondition:
    'Amazon Inspector scanning is ENABLED for ECR in the region (Lambda scanning is not judged: no collector records ML Lambdas yet)',
  remediation: 'Enable Amazon Inspector for ECR in the region (Enable with resourceTypes ECR, and LAMBDA where ML Lambdas run).',
  judge: (snapshot) => {
    const status = resourcesOfType(snapshot, INSPECTOR_ACCOUNT_TYPE)[0];
    // The collector records an error whenever it records no status: this is a record from elsewhere.
    if (!status) return { status: 'ERROR', detail: 'no Inspector account status recorded' };
    const parsed = parseConfiguration(inspectorAccountConfigurationSchema, status);
    if (!parsed.success) return schemaMismatch(status, parsed.error);
    const ecr = parsed.data.resourceTypes.ecr ?? 'not reported';
    return ecr === 'ENABLED'
      ? pass(`Inspector account status ${parsed.data.status}, ECR scanning ENABLED`)
      : fail(`Inspector account status ${parsed.data.status}, ECR scanning ${ecr}`);
  },
});

export const INSPECTOR_CHECKS: Check[] = [mlScanning];
