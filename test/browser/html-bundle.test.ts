/**
 * The page's script as the shipped builds carry it. The page runs the source text of `runPage` and
 * `decodeArtifact` (see lambda/render/html.ts), so a compiler that adds a helper outside a function's
 * body would break the page only in that build. Here the renderer is bundled by esbuild as the CLI's
 * build and the Lambda's bundling do (minified), and as tsx runs it (its `keepNames`), and each page is
 * opened in Chromium, with a plan whose names try to break out of the page.
 */
import { build } from 'esbuild';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import type { Browser } from 'playwright-core';
import type { ArtifactListing, RunReport } from '../../lambda/core/report';
import { renderHtmlReport } from '../../lambda/render/html';
import { repositoryReport, runReport } from '../support/report';
import { launchChromium, openReport, type PageWindow } from './chromium';

const ROOT = path.join(__dirname, '..', '..');
const NASTY = `</script><script>window.injected=1</script><img src=x onerror="window.injected=2">'"&\u2028🚀`;

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
}, 30_000);
afterAll(async () => {
  await browser?.close();
});

/** The renderer, bundled by esbuild with the given options, loaded as a CommonJS module. */
async function bundledRenderer(options: { minify: boolean; keepNames: boolean }): Promise<typeof renderHtmlReport> {
  const result = await build({ absWorkingDir: ROOT, entryPoints: ['lambda/render/html.ts'], bundle: true, platform: 'node', target: 'node20', format: 'cjs', write: false, logLevel: 'silent', ...options });
  const module = { exports: {} as { renderHtmlReport: typeof renderHtmlReport } };
  vm.runInThisContext(`(function (module, exports, require) {${result.outputFiles[0].text}\n})`)(module, module.exports, require);
  return module.exports.renderHtmlReport;
}

/** A plan of one repository and one artifact, every name of which tries to end the page's script. */
function nastyPlan(): { report: RunReport; artifacts: ArtifactListing } {
  const repository = { ...repositoryReport(`team/${NASTY}`, 1, 1000), name: `team/${NASTY}` };
  const artifact = {
    digest: `sha256:${'ab'.repeat(32)}`,
    tags: [NASTY],
    pushedAt: '2026-10-01T00:00:00.000Z',
    rank: 1,
    rankedAmong: 'all' as const,
    action: 'delete' as const,
    reasons: ['unused' as const],
    usedBy: [`function ${NASTY}`],
    members: [],
    sizeBytes: 1000,
    result: { status: 'planned' as const },
    decisions: [],
  };
  return {
    report: runReport({ now: '2026-11-25T12:00:00.000Z', repositories: [repository], warnings: [NASTY], deletionBlocked: NASTY }),
    artifacts: () => [{ repository, artifacts: [artifact] }],
  };
}

describe('the HTML report as each build carries it, in Chromium', () => {
  it.each([
    ['ts-jest, as the tests run it', undefined],
    ["esbuild minified, as the CLI's build and the Lambda's bundling make it", { minify: true, keepNames: false }],
    ['esbuild keeping names, as tsx runs `npm run demo` and the benchmarks', { minify: false, keepNames: true }],
  ])('draws the page from %s, and no name of the plan gets out of its text', async (_, options) => {
    // Prepare
    const render = options ? await bundledRenderer(options) : renderHtmlReport;
    const { report, artifacts } = nastyPlan();
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ecr-maintainer-html-bundle-')), 'plan.html');
    writeFileSync(file, render(report, artifacts));

    // Act
    const { page, requests, errors } = await openReport(browser, file);

    // Assess
    try {
      expect(errors).toEqual([]);
      expect(requests).toEqual([expect.stringMatching(/^file:\/\//)]);
      expect(await page.evaluate(() => (globalThis as unknown as PageWindow).injected)).toBeUndefined();
      expect(await page.evaluate(() => (globalThis as unknown as PageWindow).document.scripts.length)).toBe(4);
      expect(await page.evaluate(() => (globalThis as unknown as PageWindow).document.querySelectorAll('img').length)).toBe(0);
      expect(await page.textContent('#chart-table tbody th')).toBe(`team/${NASTY}`);
      expect(await page.textContent('#blocked p')).toBe(`Nothing deleted: ${NASTY}.`);
      expect(await page.textContent('#artifact-grid .grid-body [role=gridcell]:nth-child(2)')).toBe(NASTY);
      await page.click('#artifact-grid .grid-body [role=row]');
      expect(await page.textContent('#details-used-by li')).toBe(`function ${NASTY}`);
    } finally {
      await page.close();
    }
  });
});
