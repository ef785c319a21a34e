import { SECURITYHUB_HUB_TYPE, securityHubHubConfigurationSchema } from '../evidence/resources/securityhub';
import { parseConfiguration, schemaMismatch } from './framework';
import { fail, missing, pass } from './helpers';
import { defineRegionalServiceCheck, resourcesOfType } from './regional-service';
import type { Check } from './types';

/** A standard whose controls run: READY (all enabled) or INCOMPLETE (some controls failed to enable, the rest run). */
const RUNNING = new Set(['READY', 'INCOMPLETE']);

const enabled = defineRegionalServiceCheck({
  id: 'securityhub.enabled',
  collector: 'securityhub',
  passCondition: 'Security Hub is enabled in the region with at least one standard READY (or INCOMPLETE)',
  remediation: 'Enable Security Hub in the region (EnableSecurityHub) and at least one standard (BatchEnableStandards).',
  judge: (snapshot) => {
    const hub = resourcesOfType(snapshot, SECURITYHUB_HUB_TYPE)[0];
    if (!hub)
      return fail(`Security Hub is not enabled in ${snapshot.region}: DescribeHub answered that the account is not subscribed`);
    const parsed = parseConfiguration(securityHubHubConfigurationSchema, hub);
    if (!parsed.success) return { resource: hub, ...schemaMismatch(hub, parsed.error) };
    const standards = parsed.data.standards;
    if (standards === undefined)
      return { resource: hub, ...missing(snapshot, hub.arn, 'enabled standards', 'securityhub:GetEnabledStandards') };
    const running = standards.filter((s) => RUNNING.has(s.status));
    if (running.length > 0)
      return { resource: hub, ...pass(`enabled with ${running.map((s) => `${s.standardsArn} ${s.status}`).join(', ')}`) };
    return {
      resource: hub,
      ...fail(
        standards.length === 0
          ? 'enabled, but no standard is enabled'
          : `enabled, but no standard is READY: ${standards.map((s) => `${s.standardsArn} ${s.status}`).join(', ')}`,
      ),
    };
  },
});

export const SECURITYHUB_CHECKS: Check[] = [enabled];
