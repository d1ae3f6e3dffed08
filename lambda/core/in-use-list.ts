/**
 * The operator's list of image references that are in use elsewhere (EKS, other accounts and regions,
 * hosts the cleaner cannot see): one reference per line, `#` starts a comment, blank lines are skipped.
 * Pure: the shell reads the text, from a local file or from S3.
 */
import { parseImageReference } from './image-ref';
import type { InUseDiscovery } from './types';

/**
 * Turns the list's text into uses. A line that is not an image reference is a problem: the list is the
 * operator's word on what must stay, so a line the cleaner cannot read fails the run closed.
 *
 * @param source where the list came from, as it is named in the uses and problems
 */
export function parseInUseList(text: string, source: string): InUseDiscovery {
  const uses: InUseDiscovery['uses'][number][] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, position) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') return;
    const entry = `${source}:${position + 1}`;
    const reference = parseImageReference(line);
    if (!reference || /\s/.test(line)) {
      problems.push(`the in-use list ${entry} is not an image reference such as 123456789012.dkr.ecr.eu-west-2.amazonaws.com/app:1.2 or …/app@sha256:…: "${line.slice(0, 200)}"`);
      return;
    }
    uses.push({ source: 'in-use-list', reference: line, ...(reference.digest !== undefined && { digest: reference.digest }), listEntry: entry });
  });
  return { uses, problems };
}
