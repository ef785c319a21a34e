import { drawSample, mulberry32, renderPopulationCsv } from '../../../lambdas/period/populations';

const IDS = Array.from({ length: 40 }, (_, i) => `row-${String(i).padStart(2, '0')}`);

describe('seeded samples', () => {
  it('draws the same rows for the same seed, whatever order the population is given in', () => {
    // Act
    const first = drawSample(IDS, 10, 20261201);
    const again = drawSample([...IDS].reverse(), 10, 20261201);

    // Assess
    expect(again).toEqual(first);
    expect(first.size).toBe(10);
    expect(new Set(first.rows).size).toBe(10);
    for (const row of first.rows) expect(IDS).toContain(row);
  });

  it('draws other rows for another seed, and never more rows than the population has', () => {
    expect(drawSample(IDS, 10, 1).rows).not.toEqual(drawSample(IDS, 10, 2).rows);
    expect(drawSample(IDS.slice(0, 3), 10, 1)).toEqual({ size: 3, seed: 1, rows: expect.arrayContaining(IDS.slice(0, 3)) });
    expect(drawSample([], 10, 1)).toEqual({ size: 0, seed: 1, rows: [] });
  });

  it('is mulberry32: uniform floats in [0, 1) from a 32-bit state', () => {
    // Assess: the generator is deterministic per seed and spreads over the interval.
    const random = mulberry32(42);
    const values = Array.from({ length: 10_000 }, () => random());
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    const replay = mulberry32(42);
    expect(Array.from({ length: 5 }, () => replay())).toEqual(values.slice(0, 5));
  });
});

describe('population CSV', () => {
  it('keeps a formula-looking cell inert', () => {
    // Act
    const csv = renderPopulationCsv({
      name: 'change-events',
      description: 'x',
      columns: ['event_id', 'user', 'evidence_key', 'evidence_sha256'],
      rows: [['e1', '=HYPERLINK("http://x")', 'k', 'a'.repeat(64)]],
    });

    // Assess
    expect(csv.split('\n')[1]).toBe(`e1,"'=HYPERLINK(""http://x"")",k,${'a'.repeat(64)}`);
  });
});
