/**
 * The region of the AWS profile in use, found as the AWS CLI finds it: the profile is `AWS_PROFILE` (or
 * `default`), the file is `AWS_CONFIG_FILE` (or `~/.aws/config`), the section is `[profile NAME]` (or
 * `[default]`), and the key is `region`. The SDK's own loader reads the file, so the CLI and the SDK agree
 * on its syntax.
 */
import * as path from 'node:path';
import { getHomeDir, loadSharedConfigFiles } from '@smithy/core/config';

export interface ProfileRegion {
  /** The profile's name, such as `dev` or `default`. */
  readonly profile: string;
  readonly region: string;
}

/**
 * Reads the region that the shared config file gives the profile in use, if any. A missing or unreadable
 * file gives none, as it does to the SDK.
 */
export async function readProfileRegion(env: Readonly<Record<string, string | undefined>>): Promise<ProfileRegion | undefined> {
  const profile = env.AWS_PROFILE?.trim() || 'default';
  const configFilepath = env.AWS_CONFIG_FILE?.trim() || path.join(getHomeDir(), '.aws', 'config');
  const { configFile } = await loadSharedConfigFiles({
    configFilepath,
    // The credentials file holds no region for the AWS CLI; it is read here only because the loader reads both.
    filepath: env.AWS_SHARED_CREDENTIALS_FILE?.trim() || path.join(getHomeDir(), '.aws', 'credentials'),
    ignoreCache: true,
  });
  const region = configFile[profile]?.region?.trim();
  return region ? { profile, region } : undefined;
}
