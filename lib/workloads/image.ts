import { show } from '../fleet/errors.js';
import { parseImage } from '../fleet/image.js';

// The grammar of github.com/distribution/reference (without IPv6 registries).
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:localhost|${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})+|${DOMAIN_COMPONENT})(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const REPOSITORY = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * Problems of an image reference: it must be well formed and pinned by a version tag or a digest,
 * since `latest` or no tag moves under the same manifest and Flux would never notice a change.
 */
export function imageProblems(image: unknown): string[] {
  if (typeof image !== 'string' || image === '') return [`image is required: a reference pinned by tag or digest, e.g. "ghcr.io/acme/web:1.4.2"`];
  const { repository, tag, digest } = parseImage(image);
  const malformed =
    !REPOSITORY.test(repository) || (tag !== undefined && !TAG.test(tag)) || (digest !== undefined && !DIGEST.test(digest)) || repository.length > 255;
  if (malformed) {
    return [`image ${show(image)} is not a valid image reference ([registry/]repository[:tag][@digest], repository in lowercase)`];
  }
  if (digest) return [];
  if (tag === undefined) {
    return [`image ${show(image)} is not pinned: add a version tag or a digest, e.g. "${repository}:1.4.2" or "${repository}@sha256:<digest>"`];
  }
  if (tag === 'latest') return [`image ${show(image)} uses the moving tag "latest": pin a version tag or a digest`];
  return [];
}

/**
 * The `app.kubernetes.io/version` label value of an image: its tag, when it is a valid label
 * value and says something (`latest` pinned by a digest does not). Undefined otherwise.
 */
export function imageVersion(image: string): string | undefined {
  const { tag } = parseImage(image);
  if (tag === undefined || tag === 'latest' || tag.length > 63 || !LABEL_VALUE.test(tag)) return undefined;
  return tag;
}
