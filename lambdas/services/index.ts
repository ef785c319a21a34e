import type { CollectorName } from '../evidence/record';
import { backupService } from './backup/descriptor';
import { bedrockService } from './bedrock/descriptor';
import { cloudTrailService } from './cloudtrail/descriptor';
import { ecrService } from './ecr/descriptor';
import { guardDutyService } from './guardduty/descriptor';
import { iamService } from './iam/descriptor';
import { inspectorService } from './inspector/descriptor';
import { kmsService } from './kms/descriptor';
import { macieService } from './macie/descriptor';
import { s3Service } from './s3/descriptor';
import { sageMakerService } from './sagemaker/descriptor';
import { securityHubService } from './securityhub/descriptor';
import type { ReadGrant, ResourceForm, ResourceFormResolver, ServiceDescriptor, ServiceEvent } from './types';

/**
 * Every service the app collects: the one list a new service is added to. Pure data (no AWS
 * SDK), so checks and evaluation may read it; collectors/registry.ts pairs each with its collector.
 */
export const SERVICES: readonly ServiceDescriptor[] = [
  s3Service,
  iamService,
  kmsService,
  sageMakerService,
  cloudTrailService,
  bedrockService,
  ecrService,
  guardDutyService,
  securityHubService,
  inspectorService,
  backupService,
  macieService,
];

/** A service event with the collector that re-collects what it changes. */
export interface ServiceEventOf<Name extends string = CollectorName> extends ServiceEvent {
  collector: Name;
}

/** The descriptor of each service by name. */
export function servicesByName<Name extends string>(
  services: readonly ServiceDescriptor<Name>[],
): Map<Name, ServiceDescriptor<Name>> {
  return new Map(services.map((service) => [service.name, service]));
}

/** The read-only grants of each service's collector, by name. */
export function readGrantsOf<Name extends string>(
  services: readonly ServiceDescriptor<Name>[],
): Record<Name, readonly ReadGrant[]> {
  return Object.fromEntries(services.map((service) => [service.name, service.readGrants])) as Record<Name, readonly ReadGrant[]>;
}

/** Every service's events, each naming the collector that re-collects what it changes. */
export function eventsOf<Name extends string>(services: readonly ServiceDescriptor<Name>[]): ServiceEventOf<Name>[] {
  return services.flatMap((service) => service.events.map((event) => ({ ...event, collector: service.name })));
}

/** Every resource form the services' events may name, by form name. */
export function resourceFormsOf(services: readonly ServiceDescriptor<string>[]): Map<ResourceForm, ResourceFormResolver> {
  return new Map(services.flatMap((service) => Object.entries(service.resourceForms)));
}

/** The account-wide services: their records carry the global pseudo-region and run once per account. */
export function globalServiceNames<Name extends string>(services: readonly ServiceDescriptor<Name>[]): Name[] {
  return services.filter((service) => service.global).map((service) => service.name);
}

export const SERVICE_BY_NAME = servicesByName(SERVICES);

/** The descriptor of a collector that exists (CollectorName is checked by the record schema). */
export function serviceOf(name: CollectorName): ServiceDescriptor {
  const service = SERVICE_BY_NAME.get(name);
  if (!service) throw new Error(`no service descriptor for collector ${name}`);
  return service;
}
