import { z } from 'zod';
import { at, type ServiceDescriptor, serviceEvents } from '../../../../lambdas/services/types';

/** A made-up AWS service with one resource kind: what a new service's folder holds. */
export const TOY_WIDGET_TYPE = 'AWS::Toy::Widget';
export const toyWidgetSchema = z.object({ name: z.string(), encrypted: z.boolean() });
export type ToyWidget = z.infer<typeof toyWidgetSchema>;

export const toyService = {
  name: 'toy',
  global: false,
  resourceKinds: [
    {
      type: TOY_WIDGET_TYPE,
      arnForm: 'arn:{partition}:toy:{region}:{account}:widget/{id}',
      schema: toyWidgetSchema,
      describeApi: 'DescribeWidget',
    },
  ],
  readGrants: [
    { actions: ['toy:ListWidgets'], resources: '*' },
    { actions: ['toy:DescribeWidget'], resources: ['arn:{partition}:toy:{region}:{account}:widget/*'] },
  ],
  pageSizes: { listings: 50 },
  resourceForms: {
    toyWidget: (name, { partition, region, account }) =>
      name.startsWith('arn:') ? name : `arn:${partition}:toy:${region}:${account}:widget/${name}`,
  },
  events: serviceEvents(
    'toy.amazonaws.com',
    ['CreateWidget', 'UpdateWidget'],
    [[at('requestParameters.widgetName', 'toyWidget')]],
  ),
} satisfies ServiceDescriptor<'toy'>;
