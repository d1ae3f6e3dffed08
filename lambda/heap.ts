/**
 * How the shells ask V8 to keep the heap close to what is live. The cleaner holds its compact listing for
 * the whole run and makes short-lived garbage page by page and repository by repository; by default V8
 * lets the heap grow to up to four times what survived the last full collection before it collects again,
 * so the peak memory would be several times the need. Growing by 30% at a time costs a few more
 * collections (tens of milliseconds at 100,000 images) and keeps the peak near the need, which is what a
 * Lambda's memory size must cover.
 */
import { setFlagsFromString } from 'node:v8';

/**
 * Call once, at start-up, before the listing: the flag applies to every later collection. `bin/cleaner.mjs`
 * sets the same flag before it compiles the CLI, so that its V8 code cache matches the flags.
 */
export function keepHeapTight(): void {
  setFlagsFromString('--heap-growing-percent=30');
}
