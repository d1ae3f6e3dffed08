import { parseImageReference, registryOf } from '../../../lambda/core/image-ref';
import { HOST, digestOf } from './builders';

const DIGEST = digestOf('x');

describe('parseImageReference', () => {
  it.each([
    [`${HOST}/app:1.2`, { registry: HOST, repository: 'app', tag: '1.2' }],
    [`${HOST}/team/api/v2:latest`, { registry: HOST, repository: 'team/api/v2', tag: 'latest' }],
    [`${HOST}/team/api@${DIGEST}`, { registry: HOST, repository: 'team/api', digest: DIGEST }],
    [`${HOST}/team/api:1.2@${DIGEST}`, { registry: HOST, repository: 'team/api', tag: '1.2', digest: DIGEST }],
    [`${HOST}/app`, { registry: HOST, repository: 'app', tag: 'latest' }],
    [`${HOST.toUpperCase()}/app:v1`, { registry: HOST, repository: 'app', tag: 'v1' }],
    ['localhost:5000/app:dev', { registry: 'localhost:5000', repository: 'app', tag: 'dev' }],
    ['nginx', { registry: 'docker.io', repository: 'library/nginx', tag: 'latest' }],
    ['redis:7', { registry: 'docker.io', repository: 'library/redis', tag: '7' }],
    ['bitnami/redis:7.2', { registry: 'docker.io', repository: 'bitnami/redis', tag: '7.2' }],
    ['public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29', { registry: 'public.ecr.aws', repository: 'appmesh/aws-appmesh-envoy', tag: 'v1.29' }],
  ])('parses %s', (reference, expected) => {
    expect(parseImageReference(reference)).toEqual(expected);
  });

  it.each([
    ['an empty string', ''],
    ['a digest that is not sha256 hex', `${HOST}/app@sha256:xyz`],
    ['an upper-case repository', `${HOST}/App:1`],
    ['a tag with a slash', `${HOST}/app:feature/x@${DIGEST}x`],
    ['a bare host', `${HOST}/`],
  ])('refuses %s', (_title, reference) => {
    expect(parseImageReference(reference)).toBeUndefined();
  });
});

describe('registryOf', () => {
  it('takes the host of a repository URI, lower-cased', () => {
    expect(registryOf(`${HOST.toUpperCase()}/team/app`)).toBe(HOST);
  });
});
