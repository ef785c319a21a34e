import {
  BEDROCK_AGENT_TYPE,
  BEDROCK_CUSTOM_MODEL_TYPE,
  BEDROCK_CUSTOMIZATION_JOB_TYPE,
  BEDROCK_GUARDRAIL_TYPE,
  BEDROCK_IN_USE_TYPES,
  BEDROCK_LOGGING_TYPE,
  type BedrockGuardrail,
  bedrockAgentSchema,
  bedrockCustomizationJobSchema,
  bedrockCustomModelSchema,
  bedrockGuardrailSchema,
  bedrockLoggingSchema,
} from '../evidence/resources/bedrock';
import { defineAccountCheck, defineResourceCheck, readConfiguration } from './framework';
import { accountRootArn, fail, failureLine, pass, type Verdict } from './helpers';
import type { Check, Finding, Snapshot } from './types';

/** A failed Bedrock listing blinds only the checks over that listing's kind. */
const OTHER_BEDROCK_LISTINGS = /^bedrock:(List|GetModelInvocationLoggingConfiguration)/;
const LOGGING_API = 'bedrock:GetModelInvocationLoggingConfiguration';

/**
 * Whether Bedrock is in use in the snapshot's region: a custom model, customization job (in the
 * window), guardrail, agent or provisioned throughput exists. Undecidable (a listing failed and
 * nothing was seen) is the failed call, so the region-wide checks report ERROR.
 */
function bedrockInUse(snapshot: Snapshot): true | false | { failed: string } {
  if (snapshot.resources.some((r) => BEDROCK_IN_USE_TYPES.includes(r.type))) return true;
  // Any failure not tied to one resource (a listing, the collector as a whole) may hide a resource.
  const failed = snapshot.errors.find((e) => e.resource === undefined && e.api !== LOGGING_API);
  return failed ? { failed: failureLine(failed) } : false;
}

const NOT_IN_USE =
  'Bedrock is not in use in this region (no custom model, customization job in the window, guardrail, agent or provisioned throughput)';

/** One finding per collected region of an account, on the account root, for settings that apply region-wide. */
function regionFinding(check: string, snapshot: Snapshot, verdict: Verdict): Finding {
  return {
    check,
    resource: accountRootArn(snapshot.account),
    account: snapshot.account,
    region: snapshot.region,
    status: verdict.status,
    detail: verdict.detail,
    evidence: snapshot.evidence,
  };
}

function perRegionInUse(check: string, judge: (snapshot: Snapshot) => Verdict) {
  return ({ snapshots }: { snapshots: Snapshot[] }): Finding[] =>
    snapshots.map((snapshot) => {
      const inUse = bedrockInUse(snapshot);
      if (inUse === false) return regionFinding(check, snapshot, { status: 'NOT_APPLICABLE', detail: NOT_IN_USE });
      if (inUse !== true)
        return regionFinding(check, snapshot, {
          status: 'ERROR',
          detail: `whether Bedrock is in use could not be decided: ${inUse.failed}`,
        });
      return regionFinding(check, snapshot, judge(snapshot));
    });
}

const invocationLogging = defineAccountCheck({
  id: 'bedrock.invocation_logging',
  accountsOf: 'bedrock',
  passCondition:
    'in every region where Bedrock is in use, model invocation logging delivers to S3 or CloudWatch Logs with text data delivery on',
  remediation:
    'Turn on model invocation logging (PutModelInvocationLoggingConfiguration) to an S3 bucket or CloudWatch Logs group with textDataDeliveryEnabled.',
  judge: perRegionInUse('bedrock.invocation_logging', (snapshot) => {
    const failed = snapshot.errors.find((e) => e.api === LOGGING_API);
    if (failed)
      return { status: 'ERROR', detail: `invocation-logging configuration could not be collected: ${failureLine(failed)}` };
    const recorded = snapshot.resources.find((r) => r.type === BEDROCK_LOGGING_TYPE);
    const logging = recorded ? readConfiguration(bedrockLoggingSchema, recorded) : undefined;
    if (!logging)
      return { status: 'ERROR', detail: 'invocation-logging configuration missing from the evidence or not matching its schema' };
    if (!logging.configured) return fail('model invocation logging is off (no loggingConfig)');
    const destinations = [
      ...(logging.s3BucketName ? [`S3 bucket ${logging.s3BucketName}`] : []),
      ...(logging.cloudWatchLogGroupName ? [`log group ${logging.cloudWatchLogGroupName}`] : []),
    ].join(' and ');
    if (!logging.textDataDeliveryEnabled) return fail(`invocation logging to ${destinations} with textDataDeliveryEnabled false`);
    return pass(`invocation logging to ${destinations} with text data delivery on`);
  }),
});

/** A guardrail that filters prompt attacks on input and acts on at least one PII entity type. */
export function guardrailGaps(guardrail: BedrockGuardrail): string[] {
  const gaps: string[] = [];
  if (!guardrail.contentFilters.some((f) => f.type === 'PROMPT_ATTACK' && f.inputStrength !== 'NONE'))
    gaps.push('no prompt-attack filter');
  if (guardrail.piiEntityTypes.length === 0) gaps.push('no PII filter');
  return gaps;
}

const guardrailsConfigured = defineAccountCheck({
  id: 'bedrock.guardrails_configured',
  accountsOf: 'bedrock',
  passCondition:
    'in every region where Bedrock is in use, at least one guardrail has a prompt-attack filter and a sensitive-information (PII) filter',
  remediation:
    'Create or update a guardrail (CreateGuardrail/UpdateGuardrail) with a PROMPT_ATTACK content filter and PII entities in its sensitive-information policy, and attach it to agents and invocations.',
  judge: perRegionInUse('bedrock.guardrails_configured', (snapshot) => {
    const listing = snapshot.errors.find((e) => e.resource === undefined && e.api === 'bedrock:ListGuardrails');
    const guardrails = snapshot.resources.filter((r) => r.type === BEDROCK_GUARDRAIL_TYPE);
    const described = guardrails.map((r) => ({ arn: r.arn, configuration: readConfiguration(bedrockGuardrailSchema, r) }));
    const good = described.find((g) => g.configuration && guardrailGaps(g.configuration).length === 0);
    if (good) return pass(`guardrail ${good.configuration?.name} (${good.arn}) filters prompt attacks and PII`);
    if (listing) return { status: 'ERROR', detail: `guardrails could not be listed: ${failureLine(listing)}` };
    const unread = described.filter((g) => !g.configuration).map((g) => g.arn);
    if (unread.length > 0) return { status: 'ERROR', detail: `guardrails could not be described: ${unread.join(', ')}` };
    if (described.length === 0) return fail('no guardrail in the region');
    return fail(
      described
        .map((g) => `${g.configuration?.name}: ${guardrailGaps(g.configuration as BedrockGuardrail).join(', ')}`)
        .join('; '),
    );
  }),
});

const customModelKms = defineResourceCheck({
  id: 'bedrock.custom_model_kms',
  collector: 'bedrock',
  passCondition: 'the custom model is encrypted with a customer managed KMS key',
  remediation: 'Recreate the custom model with a customizationJob customModelKmsKeyId (encryption is fixed at creation).',
  type: BEDROCK_CUSTOM_MODEL_TYPE,
  schema: bedrockCustomModelSchema,
  judge: (c) =>
    c.kmsKeyArn ? pass(`modelKmsKeyArn ${c.kmsKeyArn}`) : fail('no modelKmsKeyArn: encrypted with an AWS owned key'),
  population: {
    what: 'Bedrock custom models',
    listApis: ['bedrock:ListCustomModels'],
    otherKindListings: OTHER_BEDROCK_LISTINGS,
  },
});

const customizationJobVpc = defineResourceCheck({
  id: 'bedrock.customization_job_vpc',
  collector: 'bedrock',
  passCondition: 'the model customization job runs in a VPC (vpcConfig set)',
  remediation:
    'Run customization jobs with vpcConfig (subnets and security groups); a job cannot be changed, start the next one with it.',
  type: BEDROCK_CUSTOMIZATION_JOB_TYPE,
  schema: bedrockCustomizationJobSchema,
  judge: (c) =>
    c.vpcConfig && c.vpcConfig.subnetIds.length > 0
      ? pass(`vpcConfig subnets ${c.vpcConfig.subnetIds.join(', ')}`)
      : fail('no vpcConfig: the job reads its training data outside a VPC'),
  population: {
    what: 'Bedrock model customization jobs in the look-back window',
    listApis: ['bedrock:ListModelCustomizationJobs'],
    otherKindListings: OTHER_BEDROCK_LISTINGS,
  },
});

const agentKms = defineResourceCheck({
  id: 'bedrock.agent_kms',
  collector: 'bedrock',
  passCondition: 'the agent is encrypted with a customer managed key (customerEncryptionKeyArn set)',
  remediation: 'Set customerEncryptionKeyArn on the agent (UpdateAgent).',
  type: BEDROCK_AGENT_TYPE,
  schema: bedrockAgentSchema,
  judge: (c) =>
    c.customerEncryptionKeyArn
      ? pass(`customerEncryptionKeyArn ${c.customerEncryptionKeyArn}`)
      : fail('no customerEncryptionKeyArn: encrypted with an AWS owned key'),
  population: { what: 'Bedrock agents', listApis: ['bedrock:ListAgents'], otherKindListings: OTHER_BEDROCK_LISTINGS },
});

const agentGuardrail = defineResourceCheck({
  id: 'bedrock.agent_guardrail',
  collector: 'bedrock',
  passCondition: 'a guardrail is attached to the agent',
  remediation: 'Attach a guardrail to the agent (UpdateAgent guardrailConfiguration).',
  type: BEDROCK_AGENT_TYPE,
  schema: bedrockAgentSchema,
  judge: (c) =>
    c.guardrail
      ? pass(`guardrail ${c.guardrail.identifier} version ${c.guardrail.version ?? 'DRAFT'}`)
      : fail('no guardrailConfiguration'),
  population: { what: 'Bedrock agents', listApis: ['bedrock:ListAgents'], otherKindListings: OTHER_BEDROCK_LISTINGS },
});

export const BEDROCK_CHECKS: Check[] = [
  invocationLogging,
  customModelKms,
  customizationJobVpc,
  agentKms,
  agentGuardrail,
  guardrailsConfigured,
];
