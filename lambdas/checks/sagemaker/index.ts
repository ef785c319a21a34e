import type { Check } from '../types';
import { DOMAIN_CHECKS } from './domains';
import { ENDPOINT_CHECKS } from './endpoints';
import { FEATURE_GROUP_CHECKS } from './feature-groups';
import { JOB_CHECKS } from './jobs';
import { MODEL_CHECKS, MODEL_PACKAGE_CHECKS } from './models';
import { MONITORING_CHECKS } from './monitoring';
import { NOTEBOOK_CHECKS } from './notebooks';

/** The sm.* checks of the checklist, one module per resource family, in the checklist's order. */
export const SAGEMAKER_CHECKS: Check[] = [
  ...NOTEBOOK_CHECKS,
  ...DOMAIN_CHECKS,
  ...JOB_CHECKS,
  ...MODEL_CHECKS,
  ...MONITORING_CHECKS,
  ...ENDPOINT_CHECKS,
  ...MODEL_PACKAGE_CHECKS,
  ...FEATURE_GROUP_CHECKS,
];
