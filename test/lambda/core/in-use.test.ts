import { resolveUses, usesByRepository } from '../../../lambda/core/in-use';
import { ImageTable } from '../../../lambda/core/image-table';
import type { Repository } from '../../../lambda/core/types';
import { HOST, digestOf, image, use } from './builders';

const repositories: Repository[] = [
  { name: 'app', uri: `${HOST}/app`, registryId: '123456789012' },
  { name: 'team/api', uri: `${HOST}/team/api`, registryId: '123456789012' },
  { name: 'broken', uri: `${HOST}/broken`, registryId: '123456789012' },
];
const images = new Map<string, ImageTable>([
  ['app', ImageTable.from('app', [image('v1', { tags: ['v1', 'stable', 'prod'] }), image('v2', { tags: ['v2', 'latest'] })])],
  ['team/api', ImageTable.from('team/api', [image('api', { tags: ['1.0'], repository: 'team/api' })])],
]);

function resolve(reference: string, digest?: string): string {
  const [resolution] = resolveUses([use(reference, digest === undefined ? {} : { digest })], repositories, images);
  if (resolution.matched) return `${resolution.repository}@${resolution.digest} by ${resolution.by}`;
  return `${resolution.problem ? 'PROBLEM' : 'none'}: ${resolution.why}`;
}

describe('resolveUses', () => {
  it.each([
    ['a tag', `${HOST}/app:v2`, undefined, `app@${digestOf('v2')} by tag`],
    ['one of several tags of the same image', `${HOST}/app:stable`, undefined, `app@${digestOf('v1')} by tag`],
    ['no tag, which means latest', `${HOST}/app`, undefined, `app@${digestOf('v2')} by tag`],
    ['a digest reference', `${HOST}/app@${digestOf('v1')}`, undefined, `app@${digestOf('v1')} by digest`],
    ['a tag and a digest, where the digest counts', `${HOST}/app:v2@${digestOf('v1')}`, undefined, `app@${digestOf('v1')} by digest`],
    ["the task's own digest, over the tag that has since moved", `${HOST}/app:latest`, digestOf('v1'), `app@${digestOf('v1')} by digest`],
    ['a repository name with a slash', `${HOST}/team/api:1.0`, undefined, `team/api@${digestOf('api')} by tag`],
    ['the dual-stack host, by tag', '123456789012.dkr-ecr.eu-west-2.on.aws/app:v2', undefined, `app@${digestOf('v2')} by tag`],
    ["the dual-stack host, by the task's digest", '123456789012.dkr-ecr.eu-west-2.on.aws/app:latest', digestOf('v1'), `app@${digestOf('v1')} by digest`],
    ['the FIPS host, by tag', '123456789012.dkr.ecr-fips.eu-west-2.amazonaws.com/app:stable', undefined, `app@${digestOf('v1')} by tag`],
    ["the FIPS host, by the task's digest", '123456789012.dkr.ecr-fips.eu-west-2.amazonaws.com/app:v9', digestOf('v2'), `app@${digestOf('v2')} by digest`],
    ['dual-stack FIPS with :443', `123456789012.dkr-ecr-fips.eu-west-2.on.aws:443/app@${digestOf('v1')}`, undefined, `app@${digestOf('v1')} by digest`],
    ['an upper-case host, by tag', `${HOST.toUpperCase()}/app:v2`, undefined, `app@${digestOf('v2')} by tag`],
    ["an upper-case dual-stack host, by the task's digest", '123456789012.DKR-ECR.EU-WEST-2.ON.AWS/app:latest', digestOf('v1'), `app@${digestOf('v1')} by digest`],
  ])('matches %s', (_title, reference, digest, expected) => {
    expect(resolve(reference, digest)).toBe(expected);
  });

  it.each([
    ['Docker Hub', 'nginx:1.27', undefined, 'none: another registry (docker.io)'],
    ['public ECR', 'public.ecr.aws/nginx/nginx:1', undefined, 'none: another registry (public.ecr.aws)'],
    ["another account's registry", '210987654321.dkr.ecr.eu-west-2.amazonaws.com/app:v1', digestOf('v1'), 'none: another registry (210987654321.dkr.ecr.eu-west-2.amazonaws.com)'],
    ['another region of this account', '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1', undefined, 'none: another registry (123456789012.dkr.ecr.us-east-1.amazonaws.com)'],
    ['a repository outside the scope', `${HOST}/other:v1`, undefined, 'none: repository not in scope'],
    ['a repository that could not be listed', `${HOST}/broken:v1`, undefined, 'none: repository could not be listed'],
    ['a tag that no image carries', `${HOST}/app:v9`, undefined, 'none: tag v9 is not in the repository'],
    ['a digest that is gone', `${HOST}/app:v1`, digestOf('gone'), `none: digest ${digestOf('gone')} is not in the repository`],
    ['something that is not a reference', 'not a reference!', undefined, 'none: not a valid image reference'],
    ['the China partition of this account', '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:v1', undefined, 'none: another registry (123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn)'],
    ['dual-stack in another region', '123456789012.dkr-ecr.eu-west-1.on.aws/app:v1', undefined, 'none: another registry (123456789012.dkr-ecr.eu-west-1.on.aws)'],
  ])('names no image of this registry for %s', (_title, reference, digest, expected) => {
    expect(resolve(reference, digest)).toBe(expected);
  });
});

describe('resolveUses: failing closed', () => {
  it.each([
    ["this account's host on another port", '123456789012.dkr.ecr.eu-west-2.amazonaws.com:5000/app:v1', "PROBLEM: names this account's ECR registry, but 123456789012.dkr.ecr.eu-west-2.amazonaws.com:5000 is not a host that ECR answers to"],
    ["this account's host with a misspelled suffix", '123456789012.dkr.ecr.eu-west-2.amazonaws.co/app:v1', "PROBLEM: names this account's ECR registry, but 123456789012.dkr.ecr.eu-west-2.amazonaws.co is not a host that ECR answers to"],
    ["this account's registry with a reference that does not parse", '123456789012.dkr-ecr.eu-west-2.on.aws/App:v1', "PROBLEM: names this account's ECR registry, but is not a valid image reference"],
  ])('reports %s as a problem', (_title, reference, expected) => {
    expect(resolve(reference)).toBe(expected);
  });

  it('says that a use of a repository the rules exclude matches nothing there, and is no problem', () => {
    const [resolution] = resolveUses([use(`${HOST}/broken:v1`)], repositories, images, new Set(['broken']));

    expect(resolution).toMatchObject({ matched: false, why: 'repository excluded by the rules, so never cleaned' });
    expect(resolution).not.toHaveProperty('problem');
  });

  it("reports every use as a problem when this registry's own host cannot be read", () => {
    const odd: Repository[] = [{ name: 'app', uri: '123456789012.dkr.ecr.eu-west-2.example.internal/app', registryId: '123456789012' }];

    const resolutions = resolveUses([use(`${HOST}/app:v1`), use('redis:7')], odd, images);

    expect(resolutions.map((resolution) => (resolution.matched ? 'matched' : `${resolution.problem ? 'PROBLEM' : 'none'}: ${resolution.why}`))).toEqual([
      "PROBLEM: this registry's own host 123456789012.dkr.ecr.eu-west-2.example.internal (of repository app) is not one the cleaner can read, so no use can be matched",
      "PROBLEM: this registry's own host 123456789012.dkr.ecr.eu-west-2.example.internal (of repository app) is not one the cleaner can read, so no use can be matched",
    ]);
  });
});

describe('usesByRepository', () => {
  it('groups the matched uses by repository and digest, and drops the others', () => {
    const resolutions = resolveUses(
      [use(`${HOST}/app:v1`, { cluster: 'a' }), use(`${HOST}/app:stable`, { cluster: 'b' }), use('redis:7')],
      repositories,
      images,
    );

    const grouped = usesByRepository(resolutions);

    expect([...grouped.keys()]).toEqual(['app']);
    expect(grouped.get('app')?.get(digestOf('v1'))?.map((u) => u.cluster)).toEqual(['a', 'b']);
  });
});
