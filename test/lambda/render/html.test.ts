/**
 * The HTML report's page as text: the data it embeds reads back to the plan, artifact by artifact; no
 * string of the plan can end a script element or inject one; a blocked run says so first; and nothing
 * in the page points to the network.
 */
import type { ArtifactListing, ArtifactReport, ImageReport, RepositoryArtifacts, RunReport } from '../../../lambda/core/report';
import { decodeArtifact, type ArtifactRow, type PageDictionary } from '../../../lambda/render/html-page/data';
import { parseRules } from '../../../lambda/core/rules';
import { escapeHtml, htmlReportChunks, jsonForScript, renderHtmlReport } from '../../../lambda/render/html';
import { keepsLine } from '../../../lambda/render/text';
import { repositoryReport, runReport } from '../../support/report';

const NOW = '2026-11-25T12:00:00.000Z';
const DAY = 86_400_000;
const hex = (seed: number): string => seed.toString(16).padStart(64, '0');
const digest = (seed: number): string => `sha256:${hex(seed)}`;
const ago = (days: number): string => new Date(Date.parse(NOW) - days * DAY).toISOString();

function decision(fields: Partial<ImageReport> & Pick<ImageReport, 'digest'>): ImageReport {
  return {
    tags: [],
    pushedAt: ago(10),
    sizeBytes: 1000,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactMediaType: undefined,
    subjectDigest: undefined,
    action: 'keep',
    reasons: ['recent'],
    result: { status: 'planned' },
    ...fields,
  };
}

function artifact(fields: Partial<ArtifactReport> & Pick<ArtifactReport, 'digest'>): ArtifactReport {
  const base = {
    tags: ['v1'],
    pushedAt: ago(10),
    rank: 1,
    rankedAmong: 'all' as const,
    action: 'keep' as const,
    reasons: ['recent'] as ArtifactReport['reasons'],
    members: [],
    sizeBytes: 1000,
    result: { status: 'planned' } as const,
    ...fields,
  };
  return {
    ...base,
    decisions: fields.decisions ?? [decision({ digest: base.digest, tags: base.tags, pushedAt: base.pushedAt, sizeBytes: base.sizeBytes, action: base.action, reasons: base.reasons, result: base.result })],
  };
}

/** Every kind of artifact: a plain one, an index with children and a signature, one in use, one deleted that failed, an untagged one. */
function sampleArtifacts(): RepositoryArtifacts[] {
  const index = digest(100);
  const children = [digest(101), digest(102)];
  const signature = digest(103);
  const shared = digest(104);
  return [
    {
      repository: repositoryReport('shop/api', 1, 3000, ['v2']),
      artifacts: [
        artifact({
          digest: index,
          tags: ['v2', 'latest'],
          pushedAt: ago(3.25),
          reasons: ['in-use:running', 'in-use:service-deployment', 'recent'],
          usedBy: ['running task production/a1b2c3 (api)', 'service deployment production/api (api:41)'],
          lastPulledAt: ago(0.5),
          members: [...children, signature, shared],
          sizeBytes: 5000,
          decisions: [
            decision({ digest: index, tags: ['v2', 'latest'], pushedAt: ago(3.25), sizeBytes: 900, mediaType: 'application/vnd.oci.image.index.v1+json', reasons: ['in-use:running', 'in-use:service-deployment', 'recent'] }),
            decision({ digest: children[0], pushedAt: ago(3.25), sizeBytes: 2000, reasons: [`child-of:${index}`] }),
            decision({ digest: children[1], pushedAt: ago(3.25), sizeBytes: 2000, reasons: ['in-use:running', `child-of:${index}`] }),
            decision({ digest: signature, tags: ['sha256-abc.sig'], pushedAt: ago(3), sizeBytes: 100, artifactMediaType: 'application/vnd.dev.cosign.artifact.sig.v1+json', subjectDigest: index, reasons: [`referrer-of:${index}`] }),
          ],
        }),
        artifact({ digest: digest(1), tags: ['v1'], pushedAt: ago(40), rank: 2, reasons: ['min-count'] }),
        artifact({ digest: digest(2), tags: [], pushedAt: ago(60), rank: 3, rankedAmong: 'untagged', action: 'delete', reasons: ['unused'], result: { status: 'failed', code: 'AccessDenied', message: 'no' } }),
      ],
    },
    {
      repository: repositoryReport('tools/migrations', 0, 0),
      artifacts: [artifact({ digest: digest(3), tags: ['m0'], pushedAt: ago(200), reasons: ['protected-tag:m*'] }), artifact({ digest: digest(4), tags: ['m1'], reasons: ['in-use-unknown'] })],
    },
  ];
}

function listing(repositories: RepositoryArtifacts[]): ArtifactListing {
  return () => repositories;
}

interface ScriptElement {
  readonly attributes: string;
  readonly text: string;
}

/**
 * The page's script elements as an HTML parser finds them: a script element's text ends at the first
 * `</script` whatever comes before it, and `<!--` inside it changes how it ends; the page escapes both.
 */
function scriptsOf(html: string): ScriptElement[] {
  return [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)].map((match) => ({ attributes: match[1], text: match[2] }));
}

function dataOf(html: string): { run: Record<string, unknown>; rows: ArtifactRow[]; dictionary: PageDictionary } {
  const json = (id: string): unknown => {
    const element = scriptsOf(html).find((script) => script.attributes.includes(`id="${id}"`));
    if (!element) throw new Error(`no script element ${id}`);
    expect(element.attributes).toContain('type="application/json"');
    return JSON.parse(element.text);
  };
  return { run: json('ecr-run') as Record<string, unknown>, rows: json('ecr-rows') as ArtifactRow[], dictionary: json('ecr-dictionary') as PageDictionary };
}

function report(overrides: Partial<RunReport> = {}): RunReport {
  return runReport({ now: NOW, repositories: sampleArtifacts().map((entry) => entry.repository), ...overrides });
}

/** What the page can know of a pushed or pulled time: the whole second. */
const toSecond = (iso: string | undefined): string | undefined => (iso === undefined ? undefined : new Date(Math.floor(Date.parse(iso) / 1000) * 1000).toISOString());

function expectedOf(repository: string, planned: ArtifactReport): ArtifactReport & { repository: string } {
  return {
    ...planned,
    repository,
    pushedAt: toSecond(planned.pushedAt) as string,
    lastPulledAt: toSecond(planned.lastPulledAt),
    decisions: planned.decisions.map((manifest) => ({ ...manifest, pushedAt: toSecond(manifest.pushedAt) as string })),
  };
}

describe('the HTML report', () => {
  it('embeds every artifact with all of its fields, which read back to the plan to the second', () => {
    // Prepare
    const repositories = sampleArtifacts();

    // Act
    const { run, rows, dictionary } = dataOf(renderHtmlReport(report(), listing(repositories)));

    // Assess
    const decoded = rows.map((row) => decodeArtifact(row, dictionary, run.base as number));
    const expected = repositories.flatMap((entry) => entry.artifacts.map((planned) => expectedOf(entry.repository.name, planned)));
    expect(decoded).toEqual(expected);
  });

  it('writes each repeated string once, in dictionaries that the rows point into', () => {
    // Act
    const { rows, dictionary } = dataOf(renderHtmlReport(report(), listing(sampleArtifacts())));

    // Assess
    expect(dictionary.repositories).toEqual(['shop/api', 'tools/migrations']);
    expect(rows.map((row) => dictionary.repositories[row[0]])).toEqual(['shop/api', 'shop/api', 'shop/api', 'tools/migrations', 'tools/migrations']);
    expect(new Set(dictionary.reasons).size).toBe(dictionary.reasons.length);
    // A reason that names the artifact's own manifest names it by position: the dictionary stays small.
    expect(dictionary.reasons).toContain('child-of:@0');
    expect(dictionary.reasons.join(' ')).not.toMatch(/[0-9a-f]{64}/);
    expect(rows.map((row) => dictionary.primaries[row[7]])).toEqual(['in-use', 'min-count', 'unused', 'protected-tag', 'in-use-unknown']);
    expect(dictionary.results).toEqual([{ status: 'planned' }, { status: 'failed', code: 'AccessDenied', message: 'no' }]);
    expect(dictionary.resultTexts).toEqual(['dry run', 'failed: AccessDenied']);
    expect(dictionary.workloads).toEqual(['running task production/a1b2c3 (api)', 'service deployment production/api (api:41)']);
    // A single-manifest artifact is one short row: no list of decisions, no digest but its own.
    expect(rows[1]).toEqual([0, ['v1'], hex(1), 40 * 86_400, 1000, 0, 2, expect.any(Number), 0, dictionary.mediaTypes.indexOf('application/vnd.oci.image.manifest.v1+json')]);
    // Digests are written without their algorithm; an untagged one ranked among the untagged says so.
    expect(rows[2].slice(0, 9)).toEqual([0, [], hex(2), 60 * 86_400, 1000, 1 + 2 * 2, 3, expect.any(Number), 1]);
  });

  it.each([
    ['a script element', '<script>alert(1)</script>'],
    ['the end of the data element', '</script><script>alert(1)</script>'],
    ['an HTML comment that would change how a script ends', '<!--<script>'],
    ['quotes and an ampersand', `it's "quoted" & <b>bold</b>`],
    ['line and paragraph separators', 'a\u2028b\u2029c'],
    ['emoji', 'release-🚀-👩🏽‍💻'],
  ])('keeps %s in a tag or a repository name inert and exact', (_, nasty) => {
    // Prepare
    const repository = { ...repositoryReport(`team/${nasty}`, 0, 0), name: `team/${nasty}` };
    const planned = artifact({ digest: digest(7), tags: [nasty, 'v1'], usedBy: [`function ${nasty}`] });
    const run = runReport({ now: NOW, repositories: [repository], warnings: [nasty], errors: [{ kind: 'repository', message: nasty }], deletionBlocked: nasty });

    // Act
    const html = renderHtmlReport(run, listing([{ repository, artifacts: [planned] }]));

    // Assess
    const scripts = scriptsOf(html);
    expect(scripts.map((script) => script.attributes.trim())).toEqual(['type="application/json" id="ecr-run"', 'type="application/json" id="ecr-rows"', 'type="application/json" id="ecr-dictionary"', '']);
    for (const script of scripts.slice(0, 3)) expect(script.text).not.toMatch(/[<>&\u2028\u2029]/);
    const { run: embedded, rows, dictionary } = dataOf(html);
    const decoded = decodeArtifact(rows[0], dictionary, embedded.base as number);
    expect(decoded.repository).toBe(`team/${nasty}`);
    expect(decoded.tags).toEqual([nasty, 'v1']);
    expect(decoded.usedBy).toEqual([`function ${nasty}`]);
    expect(embedded.warnings).toEqual([nasty]);
    // In the markup, the text is escaped: no tag of the plan's own, and the words are all there.
    const markup = html.slice(0, html.indexOf('<script'));
    expect(markup).toContain(escapeHtml(nasty));
    if (nasty.includes('<')) expect(markup).not.toContain(nasty);
  });

  it('escapes exactly the characters that could end a script element or a line', () => {
    expect(jsonForScript({ text: '</script>&\u2028\u2029' })).toBe('{"text":"\\u003c/script\\u003e\\u0026\\u2028\\u2029"}');
    expect(JSON.parse(jsonForScript({ text: '</script>&\u2028\u2029 🚀' }))).toEqual({ text: '</script>&\u2028\u2029 🚀' });
  });

  it('says first, in words, that nothing was deleted when the run failed closed', () => {
    // Prepare
    const blocked = report({ mode: 'delete', deletionBlocked: 'in-use discovery was incomplete (1 problem), so no image was deleted anywhere' });

    // Act
    const html = renderHtmlReport(blocked, listing(sampleArtifacts()));

    // Assess
    const body = html.slice(html.indexOf('<body>') + '<body>'.length).trimStart();
    expect(body.startsWith('<section class="blocked" id="blocked" role="alert"')).toBe(true);
    expect(body).toMatch(/^<section[^>]*><h2 id="blocked-heading">Nothing was deleted<\/h2><p>Nothing deleted: in-use discovery was incomplete \(1 problem\), so no image was deleted anywhere\.<\/p><\/section>/);
    expect(html).toContain('<p class="mode mode-delete" id="mode">DELETE</p>');
  });

  it('shows no notice when nothing blocked the deletion, and the mode of a dry run', () => {
    const html = renderHtmlReport(report(), listing(sampleArtifacts()));

    expect(html).not.toContain('id="blocked"');
    expect(html).toContain('DRY RUN (nothing is deleted)');
  });

  it('puts the account, the region and the totals in the header', () => {
    // Prepare
    const run = report({
      totals: { ...report().totals, repositories: 2, images: 5, kept: 4, toDelete: 1, reclaimableBytes: 1_500_000_000, reclaimableUsdPerMonth: 0.14, keptByReason: { inUse: 1, protectedTag: 1, recent: 0, recentlyPulled: 0, minCount: 1, inUseUnknown: 1 } },
    });

    // Act
    const html = renderHtmlReport(run, listing(sampleArtifacts()));

    // Assess
    expect(html).toContain('<h1>ECR Maintainer plan <span class="where">account 123456789012, eu-west-2</span></h1>');
    expect(html).toContain('<div id="total-images"><dt>Images</dt><dd>5 images</dd></div>');
    expect(html).toContain('<div id="total-kept"><dt>Kept</dt><dd>4 images: 1 in use, 1 protected tag, 1 newest N, 1 unknown</dd></div>');
    expect(html).toContain('<div id="total-to-delete"><dt>To delete</dt><dd>1 image</dd></div>');
    expect(html).toContain('<div id="total-bytes"><dt>Reclaimable</dt><dd>1.5 GB</dd></div>');
    expect(html).toContain('<div id="total-saving"><dt>Estimated monthly saving</dt><dd>$0.14/month at $0.10 per GB-month</dd></div>');
  });

  it('says what the plan keeps, and its rules, in the header', () => {
    const run = report({ rules: parseRules([{ repositories: 'ci/**', keepImagesNewerThanDays: 1 }], 'RULES') });

    const html = renderHtmlReport(run, listing(sampleArtifacts()));

    expect(html).toContain(`<div class="policy" id="policy"><p>${escapeHtml(keepsLine(run))}</p>`);
    expect(keepsLine(run)).toMatch(/^Keeps images in use \(.*\), pushed within 7 days of .*, and the newest 3 of each repository\.$/);
    expect(html).toContain('<p>Rules (the first whose pattern matches a repository applies; the others take the settings above):</p><ul><li>rule 0');
  });

  it('makes no request: no address of the network anywhere, and a policy that forbids any', () => {
    // Act
    const html = renderHtmlReport(report(), listing(sampleArtifacts()));

    // Assess
    expect(html).not.toMatch(/\b(?:src|href|action|srcset|poster|data)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/@import/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/<(?:link|img|iframe|object|embed|audio|video|source)\b/i);
    expect(html).not.toMatch(/\bfetch\(|XMLHttpRequest|WebSocket|EventSource|sendBeacon/);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">`);
    // The only addresses are the SVG namespace, which names a vocabulary and is never fetched.
    expect([...html.matchAll(/https?:\/\/[^\s"'`<>)]*/g)].map((match) => match[0])).toEqual(['http://www.w3.org/2000/svg']);
  });

  it('comes in chunks that read the listing once and hold no more than a few hundred kilobytes each', () => {
    // Prepare: 5,000 artifacts in one repository.
    const repository = repositoryReport('big', 5000, 0);
    const artifacts = Array.from({ length: 5000 }, (_, n) => artifact({ digest: digest(10_000 + n), tags: [`v${n}`], pushedAt: ago(n / 10) }));
    let listings = 0;
    const counted: ArtifactListing = () => {
      listings += 1;
      return [{ repository, artifacts }];
    };

    // Act
    const chunks = [...htmlReportChunks(runReport({ now: NOW, repositories: [repository] }), counted)];

    // Assess
    expect(listings).toBe(1);
    expect(Math.max(...chunks.map((chunk) => chunk.length))).toBeLessThan(300 * 1024);
    expect(dataOf(chunks.join('')).rows).toHaveLength(5000);
  });
});
