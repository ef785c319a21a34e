import { COLLECTORS } from '../../../lambdas/collectors/registry';
import { COLLECTOR_NAMES } from '../../../lambdas/evidence/record';
import { DEFAULT_GLOBAL_COLLECTORS } from '../../../lambdas/report/evaluate';
import { eventsOf, resourceFormsOf, SERVICES } from '../../../lambdas/services';
import { SAGEMAKER_KINDS } from '../../../lambdas/services/sagemaker/descriptor';

describe('service descriptors', () => {
  it('describe every collector once, with the collector taking its global flag from its descriptor', () => {
    // Assess
    expect(SERVICES.map((s) => s.name).sort()).toEqual([...COLLECTOR_NAMES].sort());
    for (const service of SERVICES) expect(COLLECTORS[service.name].global).toBe(service.global);
  });

  it('give evaluation the account-wide collectors from their flag (s3 and iam)', () => {
    expect([...DEFAULT_GLOBAL_COLLECTORS].sort()).toEqual(['iam', 's3']);
  });

  it('resolve every form their events name', () => {
    // Arrange
    const forms = resourceFormsOf(SERVICES);
    // Assess
    const named = eventsOf(SERVICES).flatMap((event) => event.affects.flat().map((locator) => locator.form));
    expect(named.length).toBeGreaterThan(0);
    for (const form of named) expect(forms.has(form)).toBe(true);
  });

  it('name each SageMaker ARN type once', () => {
    const arnTypes = Object.values(SAGEMAKER_KINDS).map((kind) => kind.arnType);
    expect(new Set(arnTypes).size).toBe(arnTypes.length);
  });
});
