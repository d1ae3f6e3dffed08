import { resolveUses, usesByRepository } from '../../../lambda/core/in-use';
import type { ImageRecord, Repository } from '../../../lambda/core/types';
import { HOST, digestOf, image, use } from './builders';

const repositories: Repository[] = [
  { name: 'app', uri: `${HOST}/app`, registryId: '123456789012' },
  { name: 'team/api', uri: `${HOST}/team/api`, registryId: '123456789012' },
  { name: 'broken', uri: `${HOST}/broken`, registryId: '123456789012' },
];
const images = new Map<string, ImageRecord[]>([
  ['app', [image('v1', { tags: ['v1', 'stable', 'prod'] }), image('v2', { tags: ['v2', 'latest'] })]],
  ['team/api', [image('api', { tags: ['1.0'], repository: 'team/api' })]],
]);

function resolve(reference: string, digest?: string): string {
  const [resolution] = resolveUses([use(reference, digest === undefined ? {} : { digest })], repositories, images);
  return resolution.matched ? `${resolution.repository}@${resolution.digest} by ${resolution.by}` : `none: ${resolution.why}`;
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
  ])('names no image of this registry for %s', (_title, reference, digest, expected) => {
    expect(resolve(reference, digest)).toBe(expected);
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
