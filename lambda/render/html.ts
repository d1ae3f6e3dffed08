/**
 * The plan as one self-contained HTML page (`--html`, and the audit trail's `plan.html`): a header with
 * the run and its totals, a chart of the bytes by repository, a timeline per repository, and a table of
 * every artifact that filters, sorts and opens, which renders only the rows in view. Pure, and written
 * in chunks, a few repositories at a time, so that a plan of a million artifacts is never one string.
 *
 * The page makes no request: its style and its script are inline, and its data is JSON inside
 * `<script type="application/json">` elements (see `html-page/data.ts` for the format), escaped so that
 * no string of the plan can end the element. The page's script reads it with `JSON.parse` and writes
 * every string of the plan with `textContent`, never as markup.
 *
 * How the page's script gets into the page: it is TypeScript (`html-page/page.ts`, type-checked with the
 * rest), and this module writes the source text of its functions (`Function.prototype.toString`) into
 * a `<script>` element. So there is no build step for the page at all: ts-jest, tsx, the CLI's esbuild
 * bundle and the Lambda's all carry the page's functions as they carry any other, and each prints them
 * back as whatever JavaScript it compiled them to (minified, in the bundles). The price is a rule: those
 * functions may use nothing from outside their own bodies, and `test/browser/html-bundle.test.ts`
 * runs the page from an esbuild bundle built as the CLI's is, in case a compiler ever adds a helper. The
 * alternatives were worse: a separate build of the page (a generated file that can go stale, or a loader
 * that the CDK's bundling, esbuild and ts-jest would each need configured), or the page written as a
 * string of JavaScript, which nothing type-checks.
 */
import { primaryReason, type ArtifactListing, type ArtifactReport, type ImageReport, type RunReport } from '../core/report';
import type { ImageResult } from '../core/types';
import { formatBytes, formatMonthly, plural } from '../core/words';
import { decodeArtifact, type ArtifactRow, type DecisionRow, type PageDictionary } from './html-page/data';
import { runPage } from './html-page/page';
import { PAGE_STYLE } from './html-page/style';
import { describeResult, keepsLine, ruleLines } from './text';

/** The `Content-Type` of the page, for an upload. */
export const HTML_CONTENT_TYPE = 'text/html; charset=utf-8';

/** The rows are yielded in chunks of about this many characters. */
const CHUNK_CHARS = 256 * 1024;

/** The header lists at most this many errors, warnings or problems of each kind; the plan holds them all. */
const HEADER_LIST_LIMIT = 50;

/**
 * The page's script: the page's function called with the decoder, as source text. `__name` is defined
 * for tsx, whose esbuild transform wraps every named function in `__name(fn, "name")` (its `keepNames`).
 */
const PAGE_SCRIPT = `"use strict";var __name=function(f){return f};(${String(runPage)})(${String(decodeArtifact)});`;

/**
 * The plan as one HTML page, in chunks: join them, or write them one after another (to a file, or to S3
 * with `uploadLines`). Reads the artifact listing once.
 */
export function* htmlReportChunks(report: RunReport, artifacts: ArtifactListing): Generator<string, void, undefined> {
  const baseMs = Date.parse(report.now);
  const base = Math.floor(baseMs / 1000);
  yield head(report);
  yield `<script type="application/json" id="ecr-run">${jsonForScript(pageRun(report, base))}</script>\n`;
  yield '<script type="application/json" id="ecr-rows">[';
  const dictionary = new Dictionary();
  let chunk: string[] = [];
  let chars = 0;
  let first = true;
  for (const { repository, artifacts: planned } of artifacts()) {
    const repositoryIndex = dictionary.repository(repository.name);
    for (const artifact of planned) {
      const row = jsonForScript(encodeArtifact(artifact, repositoryIndex, base, dictionary));
      chunk.push(first ? row : `,${row}`);
      first = false;
      chars += row.length + 1;
      if (chars >= CHUNK_CHARS) {
        yield chunk.join('');
        chunk = [];
        chars = 0;
      }
    }
  }
  chunk.push(']</script>\n');
  yield chunk.join('');
  yield `<script type="application/json" id="ecr-dictionary">${jsonForScript(dictionary.toJSON(report.mode))}</script>\n`;
  yield `<script>${PAGE_SCRIPT}</script>\n</body>\n</html>\n`;
}

/** The whole page as one string: for a small plan, and for tests. */
export function renderHtmlReport(report: RunReport, artifacts: ArtifactListing): string {
  return [...htmlReportChunks(report, artifacts)].join('');
}

/**
 * JSON that can stand inside a `<script>` element: `<`, `>` and `&` as `\u` escapes (so that no string
 * can write `</script>` or `<!--`), and U+2028 and U+2029 too (line terminators to JavaScript engines of
 * old). Each is only ever inside a JSON string, where the escape means the same character.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Text for HTML: element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** What the page reads of the run, besides the artifacts: everything but the references found in use. */
function pageRun(report: RunReport, base: number): object {
  const { repositories, inUse, apiCalls, ...run } = report;
  return {
    ...run,
    base,
    inUse: { sources: inUse.sources, complete: inUse.complete, problems: inUse.problems, references: inUse.references.length },
    apiCalls: { total: apiCalls.total, retries: apiCalls.retries },
    repositories,
    ruleLines: ruleLines(report.rules, report.policy),
  };
}

/** The repeated strings of the rows, each numbered the first time it is met. */
class Dictionary {
  private readonly repositories = new Numbering<string>();
  private readonly reasons = new Numbering<string>();
  private readonly reasonSets = new Numbering<string>();
  private readonly results = new Numbering<string>();
  private readonly workloads = new Numbering<string>();
  private readonly mediaTypes = new Numbering<string>();
  /** Results by identity first: the report shares one object among the many that read alike (`planned`). */
  private readonly resultObjects = new Map<ImageResult, number>();

  repository(name: string): number {
    return this.repositories.of(name);
  }

  reasonSet(reasons: readonly string[]): number {
    return this.reasonSets.of(reasons.map((reason) => this.reasons.of(reason)).join(','));
  }

  result(result: ImageResult): number {
    let number = this.resultObjects.get(result);
    if (number === undefined) {
      number = this.results.of(JSON.stringify(result));
      if (this.resultObjects.size < 10_000) this.resultObjects.set(result, number);
    }
    return number;
  }

  workload(workload: string): number {
    return this.workloads.of(workload);
  }

  mediaType(mediaType: string | undefined): number {
    return mediaType === undefined ? -1 : this.mediaTypes.of(mediaType);
  }

  toJSON(mode: RunReport['mode']): PageDictionary {
    const reasons = this.reasons.values();
    const reasonSets = this.reasonSets.values().map((set) => (set === '' ? [] : set.split(',').map(Number)));
    const results = this.results.values().map((result) => JSON.parse(result) as ImageResult);
    return {
      repositories: this.repositories.values(),
      reasons,
      reasonSets,
      primaries: reasonSets.map((set) => primaryReason(set.map((reason) => reasons[reason]))),
      results,
      resultTexts: results.map((result) => describeResult(result, mode)),
      workloads: this.workloads.values(),
      mediaTypes: this.mediaTypes.values(),
    };
  }
}

class Numbering<T> {
  private readonly numbers = new Map<T, number>();

  of(value: T): number {
    let number = this.numbers.get(value);
    if (number === undefined) {
      number = this.numbers.size;
      this.numbers.set(value, number);
    }
    return number;
  }

  values(): T[] {
    return [...this.numbers.keys()];
  }
}

const AMONG = { all: 0, tagged: 1, untagged: 2 } as const;

/** One artifact as its row (see `ArtifactRow`), its repeated strings numbered in `dictionary`. */
function encodeArtifact(artifact: ArtifactReport, repository: number, base: number, dictionary: Dictionary): ArtifactRow {
  const seconds = (iso: string): number => base - Math.floor(Date.parse(iso) / 1000);
  // The artifact's digests: the root, then what it claims, then its members that it does not claim.
  const digests = new Map<string, number>([[artifact.digest, 0]]);
  const others: string[] = [];
  const position = (digest: string): number => {
    let at = digests.get(digest);
    if (at === undefined) {
      at = digests.size;
      digests.set(digest, at);
      others.push(hexOf(digest));
    }
    return at;
  };
  for (const decision of artifact.decisions) position(decision.digest);
  const members = artifact.members.map(position);
  const reasonSet = (reasons: readonly string[]): number =>
    dictionary.reasonSet(reasons.map((reason) => reason.replace(/sha256:[0-9a-f]{64}/, (digest) => (digests.has(digest) ? `@${digests.get(digest)}` : digest))));

  const action = artifact.action === 'keep' ? 0 : 1;
  const artifactReasons = reasonSet(artifact.reasons);
  const result = dictionary.result(artifact.result);
  const root = artifact.decisions[0] as ImageReport | undefined;
  const onlyRoot =
    artifact.decisions.length === 1 &&
    root !== undefined &&
    root.digest === artifact.digest &&
    root.pushedAt === artifact.pushedAt &&
    root.sizeBytes === artifact.sizeBytes &&
    root.action === artifact.action &&
    root.artifactMediaType === undefined &&
    root.subjectDigest === undefined &&
    sameList(root.tags, artifact.tags) &&
    sameList(root.reasons, artifact.reasons) &&
    (root.result === artifact.result || JSON.stringify(root.result) === JSON.stringify(artifact.result));
  const decisions: DecisionRow[] | 0 = onlyRoot
    ? 0
    : artifact.decisions.map((decision) => {
        const subject = decision.subjectDigest === undefined ? -1 : (digests.get(decision.subjectDigest) ?? hexOf(decision.subjectDigest));
        return trimmed<DecisionRow>([
          digests.get(decision.digest) ?? 0,
          seconds(decision.pushedAt),
          decision.sizeBytes,
          decision.action === 'keep' ? 0 : 1,
          reasonSet(decision.reasons),
          dictionary.result(decision.result),
          dictionary.mediaType(decision.mediaType),
          dictionary.mediaType(decision.artifactMediaType),
          subject,
          decision.tags,
        ], 6, [-1, -1, -1]);
      });
  return trimmed<ArtifactRow>([
    repository,
    artifact.tags,
    hexOf(artifact.digest),
    seconds(artifact.pushedAt),
    artifact.sizeBytes,
    action + 2 * AMONG[artifact.rankedAmong],
    artifact.rank,
    artifactReasons,
    result,
    dictionary.mediaType(root?.mediaType),
    artifact.lastPulledAt === undefined ? null : seconds(artifact.lastPulledAt),
    artifact.usedBy && artifact.usedBy.length > 0 ? artifact.usedBy.map((workload) => dictionary.workload(workload)) : 0,
    others.length > 0 ? others : 0,
    decisions,
    members.length > 0 ? members : 0,
  ], 10, [null, 0, 0, 0, 0]);
}

/**
 * A row without its trailing empty fields: `empties` gives the empty value of each field after the first
 * `kept` (an empty list is empty wherever it is).
 */
function trimmed<T extends readonly unknown[]>(row: readonly unknown[], kept: number, empties: readonly unknown[]): T {
  const empty = (value: unknown, position: number): boolean => value === empties[position - kept] || (Array.isArray(value) && value.length === 0);
  let length = row.length;
  while (length > kept && empty(row[length - 1], length - 1)) length -= 1;
  return row.slice(0, length) as unknown as T;
}

function hexOf(digest: string): string {
  return digest.startsWith('sha256:') ? digest.slice('sha256:'.length) : digest;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, position) => value === b[position]);
}

/** The run's mode in words, as the terminal summary says it. */
function modeTitle(report: RunReport): string {
  if (report.notConfirmed) return 'DELETE (not confirmed; nothing was deleted)';
  if (report.mode === 'delete' && report.awaitingConfirmation) return 'DELETE (the plan; nothing is deleted yet)';
  return report.mode === 'dry-run' ? 'DRY RUN (nothing is deleted)' : 'DELETE';
}

/** `2026-11-25 12:00:00 UTC`. */
function formatInstant(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** The page up to its data: the style, the notice of blocked deletion, the header and the sections' frames. */
function head(report: RunReport): string {
  const { totals } = report;
  const deleting = report.mode === 'delete' && !report.awaitingConfirmation && !report.notConfirmed;
  const where = `${report.account ? `account ${report.account}, ` : ''}${report.region}`;
  const images = (count: number): string => `${count.toLocaleString('en-US')} ${plural(count, 'image')}`;
  const term = (name: string, value: string, id?: string): string => `<div${id ? ` id="${id}"` : ''}><dt>${escapeHtml(name)}</dt><dd>${escapeHtml(value)}</dd></div>`;
  const list = (heading: string, id: string, items: readonly string[]): string => {
    if (items.length === 0) return '';
    const shown = items.slice(0, HEADER_LIST_LIMIT).map((item) => `<li>${escapeHtml(item)}</li>`);
    const more = items.length > HEADER_LIST_LIMIT ? `<li>and ${items.length - HEADER_LIST_LIMIT} more: the JSON plan lists every one</li>` : '';
    return `<section class="notes" id="${id}" aria-labelledby="${id}-heading"><h2 id="${id}-heading">${escapeHtml(heading)} (${items.length})</h2><ul>${shown.join('')}${more}</ul></section>`;
  };
  const kept = totals.keptByReason;
  const keptParts = [
    [kept.inUse, 'in use'],
    [kept.protectedTag, 'protected tag'],
    [kept.recent, 'recent'],
    [kept.recentlyPulled, 'recently pulled'],
    [kept.minCount, 'newest N'],
    [kept.inUseUnknown, 'unknown'],
  ]
    .filter(([count]) => (count as number) > 0)
    .map(([count, name]) => `${(count as number).toLocaleString('en-US')} ${name as string}`);
  const blocked = report.deletionBlocked
    ? `<section class="blocked" id="blocked" role="alert" aria-labelledby="blocked-heading"><h2 id="blocked-heading">Nothing was deleted</h2><p>${escapeHtml(`Nothing deleted: ${report.deletionBlocked}.`)}</p></section>\n`
    : '';
  const title = `ECR Maintainer plan · ${where} · ${formatInstant(report.now)}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
${blocked}<a class="skip" href="#artifacts">Skip to the table of artifacts</a>
<header id="run">
<h1>ECR Maintainer plan <span class="where">${escapeHtml(where)}</span></h1>
<p class="mode mode-${deleting ? 'delete' : 'dry-run'}" id="mode">${escapeHtml(modeTitle(report))}</p>
<dl class="facts">${term('Account', report.account ?? 'unknown')}${term('Region', report.region)}${term('Mode', modeTitle(report))}${term('Run started', formatInstant(report.startedAt))}${term('Rules evaluated at', formatInstant(report.now))}${term('Duration', `${(report.durationMs / 1000).toFixed(1)} s`)}</dl>
<div class="policy" id="policy"><p>${escapeHtml(keepsLine(report))}</p>${
    report.rules.length > 0
      ? `<p>Rules (the first whose pattern matches a repository applies; the others take the settings above):</p><ul>${ruleLines(report.rules, report.policy)
          .map((line) => `<li>${escapeHtml(line)}</li>`)
          .join('')}</ul>`
      : ''
  }</div>
<h2>Totals</h2>
<dl class="totals" id="totals">${term('Repositories', `${totals.repositories.toLocaleString('en-US')}${totals.repositoriesExcluded > 0 ? ` (${totals.repositoriesExcluded} excluded)` : ''}`, 'total-repositories')}${term('Images', images(totals.images), 'total-images')}${term('Kept', `${images(totals.kept)}${keptParts.length > 0 ? `: ${keptParts.join(', ')}` : ''}`, 'total-kept')}${
    deleting
      ? term('Deleted', `${images(totals.deleted)} of ${totals.toDelete.toLocaleString('en-US')} planned`, 'total-deleted')
      : term('To delete', `${images(totals.toDelete)}${totals.marked > 0 ? ` (${totals.marked} only marked: grace period)` : ''}`, 'total-to-delete')
  }${term(deleting ? 'Reclaimed' : 'Reclaimable', formatBytes(deleting ? totals.reclaimedBytes : totals.reclaimableBytes), 'total-bytes')}${term(
    deleting ? 'Monthly saving' : 'Estimated monthly saving',
    `${formatMonthly(deleting ? totals.reclaimedUsdPerMonth : totals.reclaimableUsdPerMonth)} at $${report.storagePricePerGbMonth.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 6 })} per GB-month`,
    'total-saving',
  )}${term('Errors', String(report.errors.length), 'total-errors')}</dl>
${list('Errors', 'errors', report.errors.map((error) => error.message))}${list('Problems finding images in use', 'problems', report.inUse.problems)}${list('Warnings', 'warnings', report.warnings)}
</header>
<main>
<noscript><p>The chart, the timelines and the table need JavaScript; the header above and the JSON plan need none.</p></noscript>
<section id="chart" aria-labelledby="chart-heading"><h2 id="chart-heading">${deleting ? 'Bytes reclaimed' : 'Reclaimable bytes'} by repository</h2></section>
<section id="timelines" aria-labelledby="timelines-heading"><h2 id="timelines-heading">Artifacts by push date</h2></section>
<section id="artifacts" aria-labelledby="artifacts-heading"><h2 id="artifacts-heading">Every artifact</h2></section>
</main>
`;
}
