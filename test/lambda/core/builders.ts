/**
 * Builders for the core's tests: images named by a short name (their digest is derived from it), uses,
 * and a fixed `now`.
 */
import { createHash } from 'node:crypto';
import type { ImageRecord, ImageUse, UseSource } from '../../../lambda/core/types';

export const NOW = new Date('2026-11-25T12:00:00Z');
export const DAY_MS = 86_400_000;
export const INDEX = 'application/vnd.oci.image.index.v1+json';
export const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const HOST = '123456789012.dkr.ecr.eu-west-2.amazonaws.com';

/** A stable, well-formed digest for a short name. */
export function digestOf(name: string): string {
  return `sha256:${createHash('sha256').update(name).digest('hex')}`;
}

export interface ImageSpec {
  readonly tags?: readonly string[];
  readonly pushedDaysAgo?: number;
  /** When ECR last recorded a pull; never when unset. */
  readonly pulledDaysAgo?: number;
  readonly sizeBytes?: number;
  readonly index?: boolean;
  /** The short name of the image this one refers to (an OCI referrer). */
  readonly subject?: string;
  readonly repository?: string;
}

export function image(name: string, spec: ImageSpec = {}): ImageRecord {
  return {
    repository: spec.repository ?? 'app',
    digest: digestOf(name),
    tags: spec.tags ?? [],
    pushedAtMs: NOW.getTime() - (spec.pushedDaysAgo ?? 30) * DAY_MS,
    sizeBytes: spec.sizeBytes ?? 100,
    mediaType: spec.index ? INDEX : MANIFEST,
    ...(spec.subject !== undefined && { subjectDigest: digestOf(spec.subject) }),
    ...(spec.pulledDaysAgo !== undefined && { lastPulledAtMs: NOW.getTime() - spec.pulledDaysAgo * DAY_MS }),
  };
}

export function use(reference: string, spec: { source?: UseSource; digest?: string; cluster?: string } = {}): ImageUse {
  return {
    source: spec.source ?? 'running',
    reference,
    ...(spec.digest !== undefined && { digest: spec.digest }),
    cluster: spec.cluster ?? 'prod',
    container: 'app',
    task: `arn:aws:ecs:eu-west-2:123456789012:task/${spec.cluster ?? 'prod'}/0123456789abcdef`,
  };
}
