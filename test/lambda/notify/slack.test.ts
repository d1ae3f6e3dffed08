import { postReportToSlack, PLAN_FILENAME, type SlackPostOptions } from '../../../lambda/notify/slack';
import type { RunReport } from '../../../lambda/core/report';
import { SlackError } from '../../../lambda/errors';
import { Emulator } from '../../emulator/server';
import { repositoryReport, runReport } from '../../support/report';
import type { SlackFault } from '../../emulator/fixture';

const TOKEN = 'xoxb-test-token-never-print';
const CHANNEL = 'C0ECRMAINT';

/** A dry run with `repositories` repositories to clean, 7 images in each, the largest last. */
function report(repositories: number): RunReport {
  const base = runReport();
  return runReport({
    repositories: Array.from({ length: repositories }, (_, n) => repositoryReport(`team-${n}/service-${n}`, 7, 1_000_000 * (n + 1))),
    totals: { ...base.totals, repositories, toDelete: 7 * repositories, manifestsToDelete: 7 * repositories },
  });
}

let emulator: Emulator;

async function start(faults: SlackFault[] = []): Promise<void> {
  emulator = await Emulator.start({ repositories: [], slack: { token: TOKEN, channels: [{ id: CHANNEL, name: 'alerts' }] }, faults: { slack: faults } });
}

afterEach(async () => {
  await emulator.stop();
});

function options(overrides: Partial<SlackPostOptions> = {}): SlackPostOptions {
  return { token: TOKEN, channel: CHANNEL, maxMessageLength: 4000, apiUrl: `${emulator.url}/api/`, timeoutMs: 2000, retries: 1, ...overrides };
}

describe('postReportToSlack', () => {
  it('posts a short report as one message, with the token in the Authorization header only, and the plan in its thread', async () => {
    await start();

    const result = await postReportToSlack(report(2), () => ['repository,digest\n', 'a,sha256:1\n'], options());

    expect(result).toEqual({ threadTs: emulator.slack.messages[0].ts, parts: 1, uploaded: true });
    expect([...emulator.slack.files.values()]).toMatchObject([{ filename: PLAN_FILENAME, content: 'repository,digest\na,sha256:1\n', threadTs: emulator.slack.messages[0].ts }]);
    expect(emulator.slack.messages).toHaveLength(1);
    expect(emulator.slack.messages[0].text.split('\n')[0]).toBe('*ECR Maintainer* · *DRY RUN* · account 123456789012 · eu-west-2');
    expect(emulator.slack.requests.every((request) => request.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(emulator.slack.requests.some((request) => JSON.stringify(request.body).includes(TOKEN))).toBe(false);
  });

  it('posts a long report in numbered parts, in order, threaded under the first, and attaches the plan', async () => {
    await start();
    const rows = ['repository,digest\n', ...Array.from({ length: 500 }, () => 'a,sha256:1\n')];
    const csv = rows.join('');

    const result = await postReportToSlack(report(60), () => rows, options({ maxMessageLength: 1000 }));

    const [first, ...rest] = emulator.slack.messages;
    expect(result.parts).toBe(emulator.slack.messages.length);
    expect(result.parts).toBeGreaterThan(3);
    expect(first.threadTs).toBeUndefined();
    expect(rest.every((message) => message.threadTs === first.ts)).toBe(true);
    expect(emulator.slack.messages.map((message) => /^\(part (\d+)\/(\d+)\)/.exec(message.text)?.slice(1))).toEqual(
      emulator.slack.messages.map((_, n) => [String(n + 1), String(result.parts)]),
    );
    expect(emulator.slack.messages.every((message) => message.text.length <= 1000)).toBe(true);
    const lines = emulator.slack.messages.flatMap((message) => message.text.split('\n')).filter((line) => line.startsWith('• *team-'));
    expect(lines).toHaveLength(60);
    expect(lines[0]).toMatch(/^• \*team-59\/service-59\*/);

    const [file] = [...emulator.slack.files.values()];
    expect(file).toMatchObject({ filename: PLAN_FILENAME, content: csv, channel: CHANNEL, threadTs: first.ts, completed: true });
    expect(emulator.calls.filter((call) => call.operation.startsWith('Slack.files') || call.operation === 'Slack.upload').map((call) => call.operation)).toEqual([
      'Slack.files.getUploadURLExternal',
      'Slack.upload',
      'Slack.files.completeUploadExternal',
    ]);
  });

  it('attaches no file when the run neither deleted nor planned anything', async () => {
    await start();

    const result = await postReportToSlack(report(0), () => ['repository,digest\n'], options());

    expect(result.uploaded).toBe(false);
    expect(emulator.slack.files.size).toBe(0);
  });

  it.each([200, 500, 1000, 2500, 4000])('keeps every message within a maximum of %d characters', async (max) => {
    await start();

    await postReportToSlack(report(80), () => ['csv\n'], options({ maxMessageLength: max }));

    expect(emulator.slack.messages.every((message) => message.text.length <= max)).toBe(true);
  });

  it.each<[string, SlackFault[], Partial<SlackPostOptions>, string]>([
    ['an unknown channel', [], { channel: 'C0NOPE' }, 'channel_not_found'],
    ['a bad token', [], { token: 'xoxb-wrong' }, 'invalid_auth'],
    ['persistent rate limiting', [{ method: 'chat.postMessage', error: 'ratelimited' }], {}, 'ratelimited'],
    ['rate limiting that asks for a longer wait than the budget', [{ method: 'chat.postMessage', error: 'ratelimited', retryAfterSeconds: 60, times: 1 }], {}, 'ratelimited'],
    ['a timeout', [{ method: 'chat.postMessage', delayMs: 400 }], { timeoutMs: 100, retries: 0 }, 'timeout'],
    ['a failed upload', [{ method: 'files.completeUploadExternal', error: 'file_not_found' }], { maxMessageLength: 300 }, 'file_not_found'],
  ])('fails with Slack’s code on %s, and never shows the token', async (_title, faults, overrides, code) => {
    await start(faults);

    const error = await postReportToSlack(report(20), () => ['csv\n'], options(overrides)).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(SlackError);
    expect((error as SlackError).code).toBe(code);
    expect(`${(error as Error).message} ${(error as Error).stack ?? ''} ${JSON.stringify(error)}`).not.toContain(TOKEN);
    expect((error as Error).cause).toBeUndefined();
  });


  it('attaches only whole lines of a plan larger than the limit, builds no more of it, and says so in the title', async () => {
    await start();
    let built = 0;
    function* rows(): Generator<string> {
      yield 'repository,digest\n';
      for (let n = 0; n < 10_000; n += 1) {
        built += 1;
        yield `a,sha256:${String(n).padStart(4, '0')}\n`;
      }
    }

    await postReportToSlack(report(60), rows, options({ maxMessageLength: 1000, maxAttachedBytes: 1000 }));

    const [file] = [...emulator.slack.files.values()];
    // The header (18 bytes) and 70 rows of 14 bytes fit in 1000; the 71st does not, and nothing after it is built.
    expect(file.content).toBe(['repository,digest\n', ...Array.from({ length: 70 }, (_, n) => `a,sha256:${String(n).padStart(4, '0')}\n`)].join(''));
    expect(built).toBe(71);
    expect(file.title).toMatch(/; the first 70 rows, cut at 998 B\)$/);
  });
  it('waits out a short rate limit and then posts', async () => {
    await start([{ method: 'chat.postMessage', error: 'ratelimited', retryAfterSeconds: 1, times: 1 }]);

    const result = await postReportToSlack(report(1), () => ['csv\n'], options());

    expect(result.parts).toBe(1);
    expect(emulator.callsOf('Slack.chat.postMessage').map((call) => call.outcome)).toEqual(['ratelimited', 'ok']);
  });
});
