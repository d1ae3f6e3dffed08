import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type { InvalidSettingsError } from '../../lib/errors';
import { orgFromContext } from '../../lib/org-context';
import { catchError, testApp } from '../support/cdk';

const ORG = { centralAccount: '999999999999', accounts: ['111111111111'], regions: ['eu-west-1'], organizationId: 'o-a1b2c3d4e5' };
const read = (org: unknown): ReturnType<typeof orgFromContext> => orgFromContext(testApp({ org }));
const problemsOf = (org: unknown): readonly string[] => (catchError(() => read(org)) as InvalidSettingsError).problems;

describe('orgFromContext', () => {
  it('reads nothing without the key, so that the app makes the single-account stack alone', () => {
    expect(orgFromContext(testApp())).toBeUndefined();
    expect(read('  ')).toBeUndefined();
  });

  it('reads a JSON object from cdk.json, or the same object as a string from -c org=…, with lists as arrays or comma-separated', () => {
    const fromJson = read({ ...ORG, workloadAccounts: { '111111111111': ['333333333333'] }, maxConcurrency: 5, executionTimeoutHours: 2, memberRegistry: false });
    const fromString = read(JSON.stringify({ ...ORG, accounts: '111111111111', regions: 'eu-west-1', workloadAccounts: { '111111111111': ['333333333333'] }, maxConcurrency: '5', executionTimeoutHours: '2', memberRegistry: 'false' }));

    expect(fromString).toEqual(fromJson);
    expect(fromJson).toEqual({
      centralAccount: '999999999999',
      org: {
        accounts: ['111111111111'],
        regions: ['eu-west-1'],
        organizationalUnitIds: undefined,
        organizationId: 'o-a1b2c3d4e5',
        externalId: undefined,
        memberRoleName: undefined,
        cleanerRoleName: undefined,
        workloadAccounts: { '111111111111': ['333333333333'] },
        maxConcurrency: 5,
        executionTimeout: Duration.minutes(120),
      },
      member: { centralAccount: '999999999999', regions: ['eu-west-1'], organizationId: 'o-a1b2c3d4e5', registry: false },
    });
  });

  it('passes the role names and the external ID to both stacks', () => {
    const { org, member } = read({ ...ORG, organizationId: undefined, externalId: 'ecr-maintainer-7f3a', memberRoleName: 'm', cleanerRoleName: 'c', organizationalUnits: ['ou-ab12-cd34ef56'] }) ?? ({} as never);
    expect(org).toMatchObject({ memberRoleName: 'm', cleanerRoleName: 'c', externalId: 'ecr-maintainer-7f3a', organizationalUnitIds: ['ou-ab12-cd34ef56'] });
    expect(member).toEqual({ centralAccount: '999999999999', regions: ['eu-west-1'], memberRoleName: 'm', centralRoleName: 'c', externalId: 'ecr-maintainer-7f3a' });
  });

  it('lists every problem at once under context org.<key>, with the nearest known key for an unknown one', () => {
    expect(problemsOf({ accounts: ['1'], region: ['eu-west-1'], maxConcurrency: 'ten', organizationalUnits: ['ou-1'] })).toEqual([
      'unknown key org.region: did you mean org.regions?',
      'context org.centralAccount must be given: the 12-digit ID of the account where EcrMaintainerOrg runs, which every member role trusts. It is not taken from the credentials that synth runs with, which are a member account\'s when you deploy a member stack',
      'context org.maxConcurrency must be a number, got "ten"',
      'context org.accounts has an item that is not a 12-digit account ID (such as 111111111111): "1"',
      'context org.regions must list at least one region, such as ["eu-west-1"], got nothing',
      'context org.organizationalUnits has an item that is not an organisational unit ID (ou-…) or root ID (r-…) (such as ou-ab12-cd34ef56): "ou-1"',
      'context org.organizationId or externalId must be given, got neither: the member role trusts the central cleaner only within your organisation (organizationId, such as o-a1b2c3d4e5) or with an external ID (externalId, for accounts outside it)',
    ]);
  });

  it('fails on text that is not JSON, or JSON that is not an object, saying how to write it', () => {
    expect(problemsOf('{accounts: 1}')).toEqual([expect.stringMatching(/^context org must be a JSON object, such as -c org='\{"centralAccount"/)]);
    expect(problemsOf('[1]')).toEqual([expect.stringMatching(/^context org must be a JSON object, such as \{"centralAccount".*got \[1\]$/)]);
  });
});

describe('bin/ecr-maintainer.ts with and without org', () => {
  const root = path.join(__dirname, '..', '..');
  const stacksOf = (context: Record<string, unknown>): string[] => {
    const out = mkdtempSync(path.join(tmpdir(), 'org-app-'));
    try {
      const result = spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), ['bin/ecr-maintainer.ts'], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [], ...context }), CDK_OUTDIR: out },
        timeout: 120_000,
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { type: string }> };
      return Object.entries(manifest.artifacts)
        .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
        .map(([id]) => id)
        .sort();
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  };

  it('synthesizes the single-account stack alone without org, and the organisation stacks too with it (cdk-nag clean)', () => {
    expect(stacksOf({})).toEqual(['EcrMaintainer']);
    expect(stacksOf({ org: JSON.stringify(ORG), deleteEnabled: 'true' })).toEqual(['EcrMaintainer', 'EcrMaintainerMember', 'EcrMaintainerOrg']);
  }, 240_000);
});
