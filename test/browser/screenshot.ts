/**
 * `npm run screenshot`: the README's picture of the HTML report, `docs/html-report.png`, taken from the
 * demo's report (the sample account and the demo's rules, a dry run) in Debian's Chromium: the header,
 * the chart and the first timelines, then the table sorted by size, the largest first, in light mode.
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { launchChromium, openReport, type PageWindow } from './chromium';
import { writeDemoReport } from './demo-report';

const OUT = path.join(__dirname, '..', '..', 'docs', 'html-report.png');

async function main(): Promise<void> {
  const { file } = await writeDemoReport();
  const browser = await launchChromium();
  try {
    const { page, requests } = await openReport(browser, file, { width: 1040, height: 900 });
    await page.emulateMedia({ colorScheme: 'light' });
    // The table, sorted by size, largest first, scrolled up against the timelines.
    await page.click('[role=toolbar] button[data-column="4"]');
    await page.click('[role=toolbar] button[data-column="4"]');
    // From the top of the page to the first rows of the table, which sits below six timelines.
    const bottom = await page.evaluate(() => {
      const grid = (globalThis as unknown as PageWindow).document.querySelector('#artifact-grid') as unknown as { getBoundingClientRect(): { top: number } };
      return grid.getBoundingClientRect().top + (globalThis as unknown as { scrollY: number }).scrollY + 250;
    });
    mkdirSync(path.dirname(OUT), { recursive: true });
    await page.screenshot({ path: OUT, fullPage: true, clip: { x: 0, y: 0, width: 1040, height: Math.ceil(bottom) }, type: 'png' });
    if (requests.some((url) => !url.startsWith('file://'))) throw new Error(`the page made requests: ${requests.join(', ')}`);
    process.stderr.write(`wrote ${path.relative(process.cwd(), OUT)} from ${file}\n`);
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshot failed: ${String(error)}\n`);
  process.exitCode = 1;
});
