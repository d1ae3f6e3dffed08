import { createHash } from 'node:crypto';
import { DigestSet } from '../../../lambda/core/digest-set';

const digest = (seed: string): string => `sha256:${createHash('sha256').update(seed).digest('hex')}`;

describe('DigestSet', () => {
  it('answers for every manifest added, per repository, and for none other, past its first growth', () => {
    const set = new DigestSet();
    for (let n = 0; n < 5000; n += 1) set.add(n % 2 === 0 ? 'app' : 'team/web', digest(String(n)));

    expect(set.size).toBe(5000);
    for (let n = 0; n < 5000; n += 1) {
      expect(set.has(n % 2 === 0 ? 'app' : 'team/web', digest(String(n)))).toBe(true);
      expect(set.has(n % 2 === 0 ? 'team/web' : 'app', digest(String(n)))).toBe(false);
    }
    expect(set.has('app', digest('not added'))).toBe(false);
    expect(set.has('unknown', digest('0'))).toBe(false);
  });

  it('keeps a digest that is not sha256 as it is', () => {
    const set = new DigestSet();
    set.add('app', 'sha512:abc');
    expect([set.has('app', 'sha512:abc'), set.has('web', 'sha512:abc'), set.size]).toEqual([true, false, 1]);
  });

  it('holds a million manifests in well under 100 MB', () => {
    const before = process.memoryUsage();
    const set = new DigestSet();
    for (let n = 0; n < 1_000_000; n += 1) set.add(`repository-${n % 1000}`, digest(String(n)));
    expect(set.has('repository-999', digest('999999'))).toBe(true);
    const after = process.memoryUsage();
    const grown = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
    expect(grown).toBeLessThan(100 * 1024 * 1024);
  });
});
