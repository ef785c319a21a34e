import { defineResourceCheck } from '../../../../lambdas/checks/framework';
import { fail, pass } from '../../../../lambdas/checks/helpers';
import type { CollectorName } from '../../../../lambdas/evidence/record';
import { TOY_WIDGET_TYPE, toyService, toyWidgetSchema } from './descriptor';

/**
 * The toy service's one check, on the same framework as every other. CollectorName is the closed
 * list of the evidence record schema (evidence/record.ts COLLECTOR_NAMES): a real service adds
 * its name there; the toy, which never writes a record, casts.
 */
export const toyWidgetEncrypted = defineResourceCheck({
  id: 'toy.widget_encrypted',
  collector: toyService.name as unknown as CollectorName,
  passCondition: 'every widget is encrypted',
  remediation: 'Turn encryption on for the widget.',
  type: TOY_WIDGET_TYPE,
  schema: toyWidgetSchema,
  population: { what: 'toy widgets', listApis: ['toy:ListWidgets'] },
  judge: (widget) => (widget.encrypted ? pass('encrypted true') : fail('encrypted false')),
});
