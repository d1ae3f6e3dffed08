import { closestName, editDistance } from '../../../lambda/core/did-you-mean';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['deleteEnable', 'deleteEnabled', 1],
    ['keepMinImagesCount', 'keepMinImageCount', 1],
    ['kitten', 'sitting', 3],
  ])('counts the edits from "%s" to "%s" as %d', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
  });
});

describe('closestName', () => {
  const keys = ['deleteEnabled', 'keepMinImageCount', 'clusters', 'schedule'];

  it('suggests the nearest name within a few edits, ignoring case', () => {
    expect(closestName('deleteEnable', keys)).toBe('deleteEnabled');
    expect(closestName('keepMinImagesCount', keys)).toBe('keepMinImageCount');
    expect(closestName('Clusters', keys)).toBe('clusters');
  });

  it('suggests nothing when no name is close', () => {
    expect(closestName('region', keys)).toBeUndefined();
  });
});
