/** The fast timestamp printer agrees with String() on every kind of value. */
import t from 'tap';
import { timestampText } from '../../src/inspect/render-text.js';

t.test('timestampText matches String()', async (t) => {
  const values = [-1, 0, 5, 999_999, 1_000_000, 1_000_001, 1_000_100_000, 1739569505569, 1739569000001, 1739569099999, 1739569100000, 2 ** 53 - 1, -1739569505569, 1.5];
  let seed = 7;
  for (let i = 0; i < 2000; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    values.push(1700000000000 + seed * 37);
  }
  for (const v of values) if (timestampText(v) !== String(v)) t.fail(`${v}: ${timestampText(v)}`);
  t.pass(`${values.length} values`);
});
