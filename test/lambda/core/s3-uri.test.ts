import { checkS3Uri, parseS3Uri } from '../../../lambda/core/s3-uri';

describe('parseS3Uri', () => {
  it('splits the bucket from the key at the first slash', () => {
    expect(parseS3Uri('s3://inventory/ecr/in-use.json')).toEqual({ bucket: 'inventory', key: 'ecr/in-use.json' });
    expect(parseS3Uri('s3://inventory')).toEqual({ bucket: 'inventory', key: '' });
    expect(parseS3Uri('s3://my.bucket-1/a/b//c.txt')).toEqual({ bucket: 'my.bucket-1', key: 'a/b//c.txt' });
  });
});

describe('checkS3Uri', () => {
  it.each(['s3://inventory/in-use.json', 's3://my.bucket-1/a/b/c.txt', 's3://abc/key with spaces'])('accepts %s', (uri) => {
    expect(checkS3Uri(uri)).toBeUndefined();
  });

  it.each([
    ['inventory/in-use.json', 'it must start with s3://'],
    ['S3://inventory/in-use.json', 'it must start with s3://'],
    ['s3://ab/key', '"ab" is not a valid bucket name'],
    ['s3://-bucket/key', '"-bucket" is not a valid bucket name'],
    ['s3://my..bucket/key', '"my..bucket" is not a valid bucket name'],
    ['s3://192.168.1.10/key', '"192.168.1.10" is not a valid bucket name'],
    [`s3://${'a'.repeat(64)}/key`, 'is not a valid bucket name'],
    ['s3://inventory', 'it must name an object after the bucket'],
    ['s3://inventory/', 'it must name an object after the bucket'],
    ['s3://inventory/*', 'has "*", "?" or "${"'],
    ['s3://inventory/list?.json', 'has "*", "?" or "${"'],
    ['s3://inventory/${aws:username}.json', 'has "*", "?" or "${"'],
    [`s3://inventory/${'k'.repeat(1025)}`, 'the key is longer than S3 allows (1024 bytes)'],
  ])('refuses %s', (uri, reason) => {
    expect(checkS3Uri(uri)).toContain(reason);
  });
});
