/**
 * The demo's HTML report in a real browser (Debian's Chromium, headless): the cleaner run over the
 * emulator's sample account with the demo's rules, rendered, opened from a file, and used as a person
 * would: the header, the chart, filtering, sorting, opening a row with the mouse and the keyboard, and
 * printing. No request may leave the page.
 */
import type { Browser, Page } from 'playwright-core';
import type { ArtifactReport } from '../../lambda/core/report';
import { primaryReason } from '../../lambda/core/report';
import { formatBytes, formatMonthly, shortDigest } from '../../lambda/core/words';
import { launchChromium, openReport, type OpenedReport, type PageWindow } from './chromium';
import { writeDemoReport, type DemoReport } from './demo-report';

let browser: Browser;
let demo: DemoReport;
let opened: OpenedReport[] = [];

beforeAll(async () => {
  [browser, demo] = await Promise.all([launchChromium(), writeDemoReport()]);
}, 60_000);

afterEach(async () => {
  // Whatever a test did, its page asked for nothing but its own file, and raised no error.
  for (const { page, requests, errors } of opened) {
    expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }
  opened = [];
});

afterAll(async () => {
  await browser?.close();
});

async function open(): Promise<Page> {
  const report = await openReport(browser, demo.file);
  opened.push(report);
  return report.page;
}

/** The demo's artifacts in the plan's order, each with its repository. */
function planned(): (ArtifactReport & { repository: string })[] {
  return [...demo.outcome.artifacts()].flatMap(({ repository, artifacts }) => artifacts.map((artifact) => ({ ...artifact, repository: repository.name })));
}

/** The rows the table has rendered, top to bottom: each row's cells' text. */
async function renderedRows(page: Page): Promise<string[][]> {
  return await page.$$eval('#artifact-grid .grid-body [role=row]', (rows) =>
    rows
      .map((row) => ({ top: parseFloat(row.style.top), cells: [...row.querySelectorAll('[role=gridcell]')].map((cell) => cell.textContent ?? '') }))
      .sort((a, b) => a.top - b.top)
      .map((row) => row.cells),
  );
}

async function status(page: Page): Promise<string> {
  return (await page.textContent('#table-status')) ?? '';
}

describe("the demo's HTML report in Chromium", () => {
  it('shows the mode, the account, the region and the totals of the run', async () => {
    // Act
    const page = await open();

    // Assess
    const { report } = demo.outcome;
    expect(report.totals.images).toBeGreaterThan(30);
    expect(await page.textContent('h1')).toBe('ECR Maintainer plan account 123456789012, eu-west-2');
    expect(await page.textContent('#mode')).toBe('DRY RUN (nothing is deleted)');
    expect(await page.textContent('#total-images dd')).toBe(`${report.totals.images} images`);
    expect(await page.textContent('#total-to-delete dd')).toBe(`${report.totals.toDelete} images`);
    expect(await page.textContent('#total-bytes dd')).toBe(formatBytes(report.totals.reclaimableBytes));
    expect(await page.textContent('#total-saving dd')).toBe(`${formatMonthly(report.totals.reclaimableUsdPerMonth)} at $0.10 per GB-month`);
    expect(await page.textContent('#total-errors dd')).toBe('0');
    expect(await page.$('#blocked')).toBeNull();
    expect(await status(page)).toBe(`Showing ${report.totals.images} of ${report.totals.images} artifacts, in the plan’s order.`);
  });

  it('draws a bar per repository, the most reclaimable first, with the bytes kept beside it', async () => {
    // Prepare: what each repository would free and keeps, as the plan says.
    const kept = new Map<string, number>();
    for (const artifact of planned()) if (artifact.action === 'keep') kept.set(artifact.repository, (kept.get(artifact.repository) ?? 0) + artifact.sizeBytes);
    const expected = demo.outcome.report.repositories
      .map((repository) => ({ name: repository.name, out: repository.reclaimableBytes, kept: kept.get(repository.name) ?? 0 }))
      .sort((a, b) => b.out - a.out || b.kept - a.kept);

    // Act
    const page = await open();

    // Assess
    const bars = await page.$$eval('#chart-table tbody tr', (rows) =>
      rows.map((row) => ({
        name: row.querySelector('th')?.textContent,
        cells: [...row.querySelectorAll('td.num')].map((cell) => cell.textContent),
        deleteWidth: row.querySelector('.bar-delete').getBoundingClientRect().width,
        keptWidth: row.querySelector('.bar-kept').getBoundingClientRect().width,
      })),
    );
    expect(bars.map((bar) => bar.name)).toEqual(expected.map((entry) => entry.name));
    expect(bars).toHaveLength(6);
    expect(bars.map((bar) => bar.cells)).toEqual(expected.map((entry) => [formatBytes(entry.out), formatBytes(entry.kept)]));
    // Every bar is drawn to one scale: its width in proportion to its bytes.
    const pixelsPerByte = bars[0].deleteWidth / expected[0].out;
    bars.forEach((bar, position) => {
      expect(bar.deleteWidth).toBeCloseTo(expected[position].out * pixelsPerByte, -0.5);
      expect(bar.keptWidth).toBeCloseTo(expected[position].kept * pixelsPerByte, -0.5);
    });
    expect(expected.filter((entry) => entry.out === 0).length).toBeGreaterThan(0);
  });

  it('draws a timeline per repository, a mark per artifact, on the line of its decision and in the shape of its main reason', async () => {
    // Act
    const page = await open();

    // Assess
    const marks = await page.$$eval('#timeline-list .timeline', (timelines) =>
      timelines.map((timeline) => ({
        name: timeline.querySelector('h3')?.textContent,
        paths: [...timeline.querySelectorAll('path')].map((path) => `${path.getAttribute('data-lane')}:${path.getAttribute('data-reason')}:${path.getAttribute('data-count')}`).sort(),
      })),
    );
    const expected = new Map<string, Map<string, number>>();
    for (const artifact of planned()) {
      const key = `${artifact.action}:${artifact.action === 'delete' ? 'unused' : primaryReason(artifact.reasons)}`;
      const counts = expected.get(artifact.repository) ?? new Map<string, number>();
      counts.set(key, (counts.get(key) ?? 0) + 1);
      expected.set(artifact.repository, counts);
    }
    expect(marks).toHaveLength(expected.size);
    for (const { name, paths } of marks) expect(paths).toEqual([...(expected.get(name as string) ?? [])].map(([key, count]) => `${key}:${count}`).sort());
    // The legend names every shape in words.
    expect(await page.$$eval('#reason-legend li', (items) => items.map((item) => item.textContent))).toEqual([
      'in use',
      'protected tag',
      'recent',
      'recently pulled',
      'newest N',
      'unknown (in-use discovery incomplete)',
      'unused',
    ]);
  });

  it('filters the table by a reason, by a decision and by text', async () => {
    // Prepare
    const all = planned();
    // A main reason is the one that marks the row, as the header counts them: one per artifact.
    const inUse = all.filter((artifact) => primaryReason(artifact.reasons) === 'in-use');
    const protectedTag = all.filter((artifact) => primaryReason(artifact.reasons) === 'protected-tag');
    const newestMain = all.filter((artifact) => primaryReason(artifact.reasons) === 'min-count');
    expect(newestMain.length).toBeLessThan(all.filter((artifact) => artifact.reasons.includes('min-count')).length);
    const page = await open();

    // Act and assess: the main reason "in use".
    await page.selectOption('#filter-reason', 'main:in-use');
    expect(await status(page)).toBe(`Showing ${inUse.length} of ${all.length} artifacts, in the plan’s order.`);
    let rows = await renderedRows(page);
    expect(rows.map((row) => row[2])).toEqual(inUse.map((artifact) => shortDigest(artifact.digest)));
    expect(rows.every((row) => row[5] === 'KEEP · in use')).toBe(true);

    // "Newest N" as the main reason leaves out what is also kept for a reason that comes first (in use, recent).
    await page.selectOption('#filter-reason', 'main:min-count');
    expect(await status(page)).toBe(`Showing ${newestMain.length} of ${all.length} artifacts, in the plan’s order.`);

    // An exact reason, as the plan gives it.
    await page.selectOption('#filter-reason', 'reason:in-use:lambda-function');
    rows = await renderedRows(page);
    expect(rows.map((row) => row[0])).toEqual(all.filter((artifact) => artifact.reasons.includes('in-use:lambda-function')).map(() => 'shop/thumbnailer'));
    expect(rows.length).toBeGreaterThan(0);

    // Protected tags, then only what is deleted: none is both.
    await page.selectOption('#filter-reason', 'main:protected-tag');
    expect((await renderedRows(page)).map((row) => row[1])).toEqual(protectedTag.map((artifact) => artifact.tags.join(' ')));
    await page.selectOption('#filter-decision', 'delete');
    expect(await status(page)).toBe(`Showing 0 of ${all.length} artifacts, in the plan’s order.`);

    // Any reason, deleted ones, whose repository, tag, digest or workload holds "sandbox".
    await page.selectOption('#filter-reason', 'all');
    await page.fill('#filter-text', 'SANDBOX');
    await page.waitForFunction((expected) => (globalThis as unknown as PageWindow).document.querySelector('#table-status')?.textContent?.startsWith(`Showing ${expected} `), all.filter((artifact) => artifact.action === 'delete' && artifact.repository.startsWith('sandbox')).length);
    expect((await renderedRows(page)).every((row) => row[0] === 'sandbox/experiments' && row[5].startsWith('DELETE'))).toBe(true);
  });

  it('sorts by any column, and again the other way', async () => {
    // Prepare: the plan's artifacts by size, the larger first among equals by their place in the plan.
    const all = planned();
    const bySize = all.map((artifact, position) => ({ artifact, position })).sort((a, b) => a.artifact.sizeBytes - b.artifact.sizeBytes || a.position - b.position);
    const page = await open();

    // Act
    await page.click('[role=toolbar] button[data-column="4"]');

    // Assess
    let rows = await renderedRows(page);
    expect(await page.getAttribute('[role=columnheader][aria-colindex="5"]', 'aria-sort')).toBe('ascending');
    expect(rows.map((row) => row[2])).toEqual(bySize.slice(0, rows.length).map(({ artifact }) => shortDigest(artifact.digest)));

    // Act: again, the other way; then by the pushed date with the column's heading.
    await page.click('[role=toolbar] button[data-column="4"]');
    rows = await renderedRows(page);
    expect(await page.getAttribute('[role=columnheader][aria-colindex="5"]', 'aria-sort')).toBe('descending');
    const descending = all.map((artifact, position) => ({ artifact, position })).sort((a, b) => b.artifact.sizeBytes - a.artifact.sizeBytes || a.position - b.position);
    expect(rows.map((row) => row[2])).toEqual(descending.slice(0, rows.length).map(({ artifact }) => shortDigest(artifact.digest)));
    await page.click('[role=columnheader][aria-colindex="1"] button');
    rows = await renderedRows(page);
    const names = rows.map((row) => row[0]);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    expect(await status(page)).toMatch(/, sorted by repository \(ascending\)\.$/);
  });

  it('opens a row to show who uses the image, and its manifests', async () => {
    // Prepare: the newest shop/web release, an index whose arm64 image a production task runs.
    const release = planned().find((artifact) => artifact.repository === 'shop/web' && artifact.tags.includes('2026.2')) as ArtifactReport;
    expect(release.usedBy).toEqual(expect.arrayContaining([expect.stringMatching(/^running task production\//)]));
    const page = await open();
    await page.fill('#filter-text', '2026.2');
    await page.waitForFunction(() => (globalThis as unknown as PageWindow).document.querySelector('#table-status')?.textContent?.startsWith('Showing 1 '));

    // Act
    await page.click('#artifact-grid .grid-body [role=row]');

    // Assess
    expect(await page.isVisible('#details')).toBe(true);
    expect(await page.textContent('#details-heading')).toBe('shop/web 2026.2');
    expect(await page.$$eval('#details-used-by li', (items) => items.map((item) => item.textContent))).toEqual(release.usedBy);
    const manifests = await page.$$eval('#details tbody tr', (rows) => rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent)));
    expect(manifests.map((row) => row[0])).toEqual(release.decisions.map((decision) => decision.digest));
    expect(manifests[0][1]).toBe('image index');
    expect(manifests.slice(1).every((row) => row[1] === 'child')).toBe(true);
    expect(await page.getAttribute('#artifact-grid .grid-body [role=row]', 'aria-selected')).toBe('true');
  });

  it('is used with the keyboard: Tab reaches the table, the arrows, Home and End move, Enter opens, Escape closes', async () => {
    // Prepare
    const all = planned();
    const page = await open();
    await page.focus('#filter-reason');

    // Act: Tab until the table has the focus.
    for (let presses = 0; presses < 20 && (await page.evaluate(() => (globalThis as unknown as PageWindow).document.activeElement?.id)) !== 'artifact-grid'; presses += 1) await page.keyboard.press('Tab');

    // Assess
    expect(await page.evaluate(() => (globalThis as unknown as PageWindow).document.activeElement?.getAttribute('role'))).toBe('grid');
    const active = async (): Promise<string | null> => await page.getAttribute('#artifact-grid', 'aria-activedescendant');
    expect(await active()).toBe('artifact-row-0');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    expect(await active()).toBe('artifact-row-1');

    // End: the last row is rendered and active; the first one, out of view, is no longer rendered.
    await page.keyboard.press('End');
    expect(await active()).toBe(`artifact-row-${all.length - 1}`);
    expect(await page.$(`#artifact-row-${all.length - 1}`)).not.toBeNull();
    expect(await page.$('#artifact-row-0')).toBeNull();
    expect((await renderedRows(page)).length).toBeLessThan(all.length);
    expect(await page.getAttribute(`#artifact-row-${all.length - 1}`, 'aria-rowindex')).toBe(String(all.length + 1));

    // Enter opens the active row; Escape closes it and gives the focus back to the table.
    await page.keyboard.press('Home');
    await page.keyboard.press('PageDown');
    const position = Number((await active())?.replace('artifact-row-', ''));
    expect(position).toBeGreaterThan(5);
    await page.keyboard.press('Enter');
    expect(await page.textContent('#details-heading')).toBe(`${all[position].repository} ${all[position].tags.join(' ') || '<untagged>'}`);
    await page.keyboard.press('Escape');
    expect(await page.isVisible('#details')).toBe(false);
    expect(await page.evaluate(() => (globalThis as unknown as PageWindow).document.activeElement?.id)).toBe('artifact-grid');
  });

  it('prints the whole table, unvirtualised, beside the header and the chart', async () => {
    // Prepare
    const page = await open();

    // Act
    await page.emulateMedia({ media: 'print' });
    await page.evaluate(() => { const browserWindow = globalThis as unknown as PageWindow; browserWindow.dispatchEvent(new browserWindow.Event('beforeprint')); });

    // Assess
    expect(await page.$$eval('.print-table tbody tr', (rows) => rows.length)).toBe(planned().length);
    expect(await page.isVisible('#artifact-grid')).toBe(false);
    expect(await page.isVisible('.print-table')).toBe(true);
    expect(await page.isVisible('#chart-table')).toBe(true);
    expect(await page.isVisible('#totals')).toBe(true);
  });
});
