import {
  type DescribeScalableTargetsCommandOutput,
  paginateDescribeScalableTargets,
  paginateDescribeScalingPolicies,
} from '@aws-sdk/client-application-auto-scaling';
import { type MetricAlarm, paginateDescribeAlarms } from '@aws-sdk/client-cloudwatch';
import type { SmEndpoint, SmEndpointAlarm } from '../../evidence/resources/sagemaker';
import { sageMakerService } from '../../services/sagemaker/descriptor';
import type { CollectionLog } from '../collection-log';
import type { CollectorContext } from '../types';

/**
 * The CloudWatch alarms and Application Auto Scaling targets of a region, listed once per run
 * and matched to endpoints afterwards: one listing serves every endpoint.
 */
export interface EndpointTelemetry {
  /** Alarms by the EndpointName dimension they watch; undefined when DescribeAlarms failed. */
  alarmsByEndpoint: Map<string, SmEndpointAlarm[]> | undefined;
  /** Scalable targets by ResourceId (endpoint/<name>/variant/<variant>); undefined when the listing failed. */
  scalingByVariant: Map<string, NonNullable<SmEndpoint['variants'][number]['autoScaling']>> | undefined;
}

export async function listEndpointTelemetry(context: CollectorContext, log: CollectionLog): Promise<EndpointTelemetry> {
  const [alarmsByEndpoint, scalingByVariant] = await Promise.all([listAlarms(context, log), listScaling(context, log)]);
  return { alarmsByEndpoint, scalingByVariant };
}

export function variantResourceId(endpointName: string, variantName: string): string {
  return `endpoint/${endpointName}/variant/${variantName}`;
}

/** Adds alarms and scaling to an endpoint; a failed listing leaves its field absent (ERROR in checks). */
export function withTelemetry(endpoint: SmEndpoint, telemetry: EndpointTelemetry): SmEndpoint {
  const { alarmsByEndpoint, scalingByVariant } = telemetry;
  return {
    ...endpoint,
    variants: endpoint.variants.map((variant) =>
      scalingByVariant
        ? { ...variant, autoScaling: scalingByVariant.get(variantResourceId(endpoint.name, variant.name)) ?? null }
        : variant,
    ),
    ...(alarmsByEndpoint ? { alarms: alarmsByEndpoint.get(endpoint.name) ?? [] } : {}),
  };
}

async function listAlarms(context: CollectorContext, log: CollectionLog) {
  const byEndpoint = new Map<string, SmEndpointAlarm[]>();
  const outcome = await log.call('cloudwatch:DescribeAlarms', undefined, async () => {
    const client = context.clients.cloudWatch(context.region);
    for await (const page of paginateDescribeAlarms(
      { client, pageSize: sageMakerService.pageSizes.cloudWatchAlarms },
      { AlarmTypes: ['MetricAlarm'] },
    )) {
      for (const alarm of page.MetricAlarms ?? []) {
        for (const endpointName of endpointNamesOf(alarm)) {
          const list = byEndpoint.get(endpointName) ?? [];
          list.push(normaliseAlarm(alarm));
          byEndpoint.set(endpointName, list);
        }
      }
    }
  });
  return outcome.status === 'ok' ? byEndpoint : undefined;
}

/** Endpoint names in the alarm's own dimensions and in those of its metric-math queries. */
function endpointNamesOf(alarm: MetricAlarm): Set<string> {
  const dimensions = [
    ...(alarm.Dimensions ?? []),
    ...(alarm.Metrics ?? []).flatMap((query) => query.MetricStat?.Metric?.Dimensions ?? []),
  ];
  return new Set(dimensions.filter((d) => d.Name === 'EndpointName' && d.Value).map((d) => d.Value as string));
}

function normaliseAlarm(alarm: MetricAlarm): SmEndpointAlarm {
  const queryMetrics = (alarm.Metrics ?? []).map((query) => query.MetricStat?.Metric).filter((m) => m !== undefined);
  const metricNames = [alarm.MetricName, ...queryMetrics.map((m) => m.MetricName)].filter(
    (name): name is string => typeof name === 'string',
  );
  return {
    name: alarm.AlarmName ?? '',
    arn: alarm.AlarmArn ?? null,
    namespace: alarm.Namespace ?? queryMetrics[0]?.Namespace ?? null,
    metricNames: [...new Set(metricNames)],
    actionsEnabled: alarm.ActionsEnabled !== false,
    alarmActions: alarm.AlarmActions ?? [],
  };
}

async function listScaling(context: CollectorContext, log: CollectionLog) {
  const client = context.clients.applicationAutoScaling(context.region);
  const targets: NonNullable<DescribeScalableTargetsCommandOutput['ScalableTargets']> = [];
  const targetsOutcome = await log.call('application-autoscaling:DescribeScalableTargets', undefined, async () => {
    for await (const page of paginateDescribeScalableTargets(
      { client, pageSize: sageMakerService.pageSizes.applicationAutoScaling },
      { ServiceNamespace: 'sagemaker' },
    )) {
      targets.push(...(page.ScalableTargets ?? []));
    }
  });
  if (targetsOutcome.status !== 'ok') return undefined;
  const policiesByResource = new Map<string, string[]>();
  const policiesOutcome = await log.call('application-autoscaling:DescribeScalingPolicies', undefined, async () => {
    for await (const page of paginateDescribeScalingPolicies(
      { client, pageSize: sageMakerService.pageSizes.applicationAutoScaling },
      { ServiceNamespace: 'sagemaker' },
    )) {
      for (const policy of page.ScalingPolicies ?? []) {
        if (!policy.ResourceId || !policy.PolicyName) continue;
        policiesByResource.set(policy.ResourceId, [...(policiesByResource.get(policy.ResourceId) ?? []), policy.PolicyName]);
      }
    }
  });
  if (policiesOutcome.status !== 'ok') return undefined;
  return new Map(
    targets
      .filter((target) => target.ResourceId)
      .map((target) => [
        target.ResourceId as string,
        {
          minCapacity: target.MinCapacity ?? null,
          maxCapacity: target.MaxCapacity ?? null,
          policies: policiesByResource.get(target.ResourceId as string) ?? [],
        },
      ]),
  );
}
