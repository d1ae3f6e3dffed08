/**
 * Container image references, in the forms ECS reports them:
 * `host/repo:tag`, `host/repo@sha256:…`, `host/repo:tag@sha256:…`, and the short Docker Hub forms.
 * Repository names may contain `/`.
 */
import { REPOSITORY_NAME } from './names';

export interface ImageReference {
  /** The registry host, lower-cased; `docker.io` when the reference names none. */
  readonly registry: string;
  readonly repository: string;
  /** The tag; `latest` when the reference has neither a tag nor a digest. */
  readonly tag?: string;
  readonly digest?: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Whether a string is a well-formed sha256 digest. */
export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}

/**
 * Parses an image reference, or returns undefined when it is not one (the caller says why it was
 * passed over).
 */
export function parseImageReference(reference: string): ImageReference | undefined {
  let rest = reference.trim();
  let digest: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) return undefined;
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return undefined;
  }

  let registry = 'docker.io';
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  if (first.includes('.') || first.includes(':') || first === 'localhost') {
    registry = first.toLowerCase();
    rest = rest.slice(slash + 1);
  } else if (slash < 0) {
    rest = `library/${rest}`;
  }
  if (!REPOSITORY_NAME.test(rest)) return undefined;

  if (tag === undefined && digest === undefined) tag = 'latest';
  return { registry, repository: rest, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

/** The registry host of a repository URI such as `123.dkr.ecr.eu-west-2.amazonaws.com/team/app`. */
export function registryOf(repositoryUri: string): string {
  return repositoryUri.split('/', 1)[0].toLowerCase();
}
