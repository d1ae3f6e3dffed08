/**
 * Reads the operator's list of references in use elsewhere: `IN_USE_IMAGES_URI`, a local file (the CLI)
 * or `s3://bucket/key` (the CLI and the Lambda). A list that is configured but cannot be read is a
 * problem: the cleaner then deletes nothing.
 */
import { readFile } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { parseInUseList } from '../core/in-use-list';
import type { InUseDiscovery } from '../core/types';
import { errorMessage } from '../errors';
import type { ApiCalls } from './api-calls';
import { MAX_OBJECT_BYTES, readObjectText } from './objects';

export async function readInUseList(s3: S3Client, calls: ApiCalls, uri: string): Promise<InUseDiscovery> {
  let text: string;
  try {
    if (uri.startsWith('s3://')) {
      text = await readObjectText(s3, calls, uri);
    } else {
      const bytes = await readFile(uri);
      if (bytes.length > MAX_OBJECT_BYTES) throw new Error(`it is larger than ${MAX_OBJECT_BYTES} bytes`);
      text = bytes.toString('utf8');
    }
  } catch (error) {
    return { uses: [], problems: [`could not read the in-use list ${uri}: ${errorMessage(error)}`] };
  }
  return parseInUseList(text, uri);
}
