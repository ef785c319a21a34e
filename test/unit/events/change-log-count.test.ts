import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { countChangeEvents, writeChangeLog } from '../../../lambdas/events/change-log';
import type { CloudTrailEvent } from '../../../lambdas/events/cloudtrail-event';
import { type TempStore, tempStore } from '../integrity/fixtures';

const EVENT = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'fixtures', 'events', 'DisableKeyRotation.json'), 'utf8'),
) as CloudTrailEvent;

let temp: TempStore;
beforeEach(async () => {
  temp = await tempStore();
});
afterEach(() => temp.cleanup());

describe('countChangeEvents', () => {
  it('counts the events recorded since a date from the keys of those days only', async () => {
    // Prepare: one event recorded on each of three days.
    for (const [i, day] of ['2026-11-01', '2026-11-10', '2026-11-20'].entries()) {
      const event = structuredClone(EVENT);
      event.detail.eventID = `count-${i}`;
      event.detail.eventTime = `${day}T10:00:00Z`;
      await writeChangeLog(temp.store, event, { recordedAt: `${day}T10:00:05.000Z`, handling: 'recollected', evidence: [] });
    }
    const listed: string[] = [];
    const list = temp.store.list.bind(temp.store);
    temp.store.list = (prefix: string) => {
      listed.push(prefix);
      return list(prefix);
    };

    // Act
    const counted = await countChangeEvents(temp.store, new Date('2026-11-05T00:00:00Z'));

    // Assess
    expect(counted).toEqual({ '123456789012': 2 });
    expect(listed.filter((prefix) => prefix.includes('date=2026-11-01'))).toEqual([]);
  });
});
