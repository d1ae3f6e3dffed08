import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..');

describe('bin/ecr-maintainer.ts', () => {
  it('exits 1 on bad settings, printing every problem and no stack trace', () => {
    // The CDK CLI hands `-c key=value` to the app in CDK_CONTEXT_JSON; the app fails before bundling.
    const result = spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), ['bin/ecr-maintainer.ts'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ deleteEnable: 'true', keepMinImageCount: '0', schedule: 'cron(0 3 * * *)' }), CDK_OUTDIR: undefined },
      timeout: 60_000,
    });

    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      [
        'invalid context:',
        '  unknown context key "deleteEnable": did you mean "deleteEnabled"?',
        '  context keepMinImageCount must be a whole number of at least 1, got 0',
        '  context schedule must be a recurring EventBridge Scheduler expression such as "cron(0 3 * * ? *)" or "rate(12 hours)", got "cron(0 3 * * *)": cron(…) needs exactly 6 fields (minutes hours day-of-month month day-of-week year), got 5',
        '',
      ].join('\n'),
    );
    expect(result.stderr).not.toMatch(/^ {4}at /m);
    expect(result.stdout).toBe('');
  });
});
