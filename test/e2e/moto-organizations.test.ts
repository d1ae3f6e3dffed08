/**
 * The organisation stack reads the accounts of organisational units at run time. Our emulator has no
 * Organizations, so this runs the cleaner's reader through the real SDK against moto_server (moto
 * 5.2.1), which has: an organisation with nested units, more accounts than one page holds (20), and an
 * account outside the units.
 */
import type { ChildProcess } from 'node:child_process';
import { CreateAccountCommand, CreateOrganizationCommand, CreateOrganizationalUnitCommand, ListRootsCommand, MoveAccountCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { ApiCalls } from '../../lambda/aws/api-calls';
import { listUnitAccounts } from '../../lambda/aws/organizations';
import { MOTO_AVAILABLE, reportMotoMissing, startMoto } from '../support/moto';

jest.setTimeout(60_000);

if (!MOTO_AVAILABLE) {
  reportMotoMissing('the Organizations listing');
} else {
  describe('listUnitAccounts against moto_server', () => {
    let moto: ChildProcess | undefined;
    let organizations: OrganizationsClient;
    const ids: { root: string; top: string; nested: string; other: string; inTop: string[]; inNested: string[]; outside: string } = {
      root: '',
      top: '',
      nested: '',
      other: '',
      inTop: [],
      inNested: [],
      outside: '',
    };

    beforeAll(async () => {
      const started = await startMoto();
      moto = started.process;
      organizations = new OrganizationsClient({ endpoint: started.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } });
      await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
      ids.root = (await organizations.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
      const unit = async (parentId: string, name: string): Promise<string> => (await organizations.send(new CreateOrganizationalUnitCommand({ ParentId: parentId, Name: name }))).OrganizationalUnit?.Id ?? '';
      ids.top = await unit(ids.root, 'workloads');
      ids.nested = await unit(ids.top, 'prod');
      ids.other = await unit(ids.root, 'sandbox');
      const account = async (name: string, parentId: string): Promise<string> => {
        const created = await organizations.send(new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }));
        const id = created.CreateAccountStatus?.AccountId ?? '';
        await organizations.send(new MoveAccountCommand({ AccountId: id, SourceParentId: ids.root, DestinationParentId: parentId }));
        return id;
      };
      // More than a page (20) directly in the top unit, a few in the nested one, one elsewhere.
      for (let n = 0; n < 23; n += 1) ids.inTop.push(await account(`top-${n}`, ids.top));
      for (let n = 0; n < 3; n += 1) ids.inNested.push(await account(`nested-${n}`, ids.nested));
      ids.outside = await account('outside', ids.other);
    });

    afterAll(() => {
      organizations?.destroy();
      moto?.kill();
    });

    it('reads every account of a unit and of the units nested in it, across pages, and no other', async () => {
      const calls = new ApiCalls(2);
      const accounts = await listUnitAccounts(organizations, calls, [ids.top]);
      expect([...accounts].sort()).toEqual([...ids.inTop, ...ids.inNested].sort());
      expect(accounts).not.toContain(ids.outside);
      // Two pages of the top unit's accounts, one of the nested unit's; a page of units for each unit.
      expect(calls.stats().byOperation).toEqual({ 'Organizations.ListAccountsForParent': 3, 'Organizations.ListOrganizationalUnitsForParent': 2 });
    });

    it('reads each account once when a unit and the unit nested in it are both named, and takes the root', async () => {
      expect([...(await listUnitAccounts(organizations, new ApiCalls(2), [ids.top, ids.nested]))].sort()).toEqual([...ids.inTop, ...ids.inNested].sort());
      const everything = await listUnitAccounts(organizations, new ApiCalls(2), [ids.root]);
      expect(everything).toEqual(expect.arrayContaining([...ids.inTop, ...ids.inNested, ids.outside]));
    });

    it('fails with the code and the unit when a unit does not exist', async () => {
      await expect(listUnitAccounts(organizations, new ApiCalls(2, { maxAttempts: 1 }), ['ou-abcd-99999999'])).rejects.toMatchObject({
        name: 'AwsCallError',
        message: expect.stringMatching(/^Organizations\.List\w+ failed for ou-abcd-99999999: \w+/) as unknown,
      });
    });
  });
}
