/**
 * Slack's Web API, as far as the cleaner uses it: `auth.test`, `chat.postMessage`, and the upload flow
 * `files.getUploadURLExternal` → POST to the upload URL → `files.completeUploadExternal`. Every answer is
 * HTTP 200 with `ok`, except rate limiting, which is HTTP 429 with `Retry-After`.
 */
import type { Fixture } from './fixture';

export interface PostedMessage {
  readonly channel: string;
  readonly text: string;
  readonly threadTs?: string;
  readonly ts: string;
}

export interface UploadedFile {
  readonly id: string;
  readonly filename: string;
  readonly length: number;
  content?: string;
  title?: string;
  channel?: string;
  threadTs?: string;
  completed: boolean;
}

export interface SlackAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: unknown;
}

export class Slack {
  readonly messages: PostedMessage[] = [];
  readonly files = new Map<string, UploadedFile>();
  /** Every request, with the Authorization header it carried. */
  readonly requests: { method: string; authorization?: string; body: Record<string, string> }[] = [];
  private sequence = 0;
  private readonly token: string;
  private readonly channels: readonly { readonly id: string; readonly name: string }[];

  constructor(fixture: Fixture) {
    this.token = fixture.slack?.token ?? 'xoxb-emulator-token';
    this.channels = fixture.slack?.channels ?? [{ id: 'C0ECRMAINT', name: 'ecr-maintainer' }];
  }

  handle(method: string, body: Record<string, string>, authorization: string | undefined, baseUrl: string): SlackAnswer {
    this.requests.push({ method, ...(authorization !== undefined && { authorization }), body });
    const bearer = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : body.token;
    if (!bearer) return ok({ ok: false, error: 'not_authed' });
    if (bearer !== this.token) return ok({ ok: false, error: 'invalid_auth' });

    switch (method) {
      case 'auth.test':
        return ok({ ok: true, url: 'https://emulator.slack.test/', team: 'Emulator', user: 'ecr-maintainer', team_id: 'T0EMULATOR', user_id: 'U0ECRMAINT', bot_id: 'B0ECRMAINT' });
      case 'chat.postMessage': {
        const channel = this.channel(body.channel);
        if (!channel) return ok({ ok: false, error: 'channel_not_found' });
        if (!body.text) return ok({ ok: false, error: 'no_text' });
        if (body.thread_ts && !this.messages.some((message) => message.channel === channel && message.ts === body.thread_ts)) {
          return ok({ ok: false, error: 'thread_not_found' });
        }
        this.sequence += 1;
        const ts = `1764000000.${String(this.sequence).padStart(6, '0')}`;
        this.messages.push({ channel, text: body.text, ...(body.thread_ts && { threadTs: body.thread_ts }), ts });
        return ok({ ok: true, channel, ts, message: { type: 'message', text: body.text, ts, ...(body.thread_ts && { thread_ts: body.thread_ts }) } });
      }
      case 'files.getUploadURLExternal': {
        const length = Number(body.length);
        if (!body.filename || !Number.isInteger(length) || length < 1) return ok({ ok: false, error: 'invalid_arguments' });
        this.sequence += 1;
        const id = `F${String(this.sequence).padStart(8, '0')}`;
        this.files.set(id, { id, filename: body.filename, length, completed: false });
        return ok({ ok: true, upload_url: `${baseUrl}/upload/${id}`, file_id: id });
      }
      case 'files.completeUploadExternal': {
        const files = JSON.parse(body.files ?? '[]') as { id: string; title?: string }[];
        const channel = body.channel_id ? this.channel(body.channel_id) : undefined;
        if (body.channel_id && !channel) return ok({ ok: false, error: 'channel_not_found' });
        for (const entry of files) {
          const file = this.files.get(entry.id);
          if (!file || file.content === undefined) return ok({ ok: false, error: 'file_not_found' });
          file.completed = true;
          if (entry.title !== undefined) file.title = entry.title;
          if (channel !== undefined) file.channel = channel;
          if (body.thread_ts) file.threadTs = body.thread_ts;
        }
        return ok({ ok: true, files: files.map((entry) => ({ id: entry.id, title: entry.title })) });
      }
      default:
        return ok({ ok: false, error: 'unknown_method' });
    }
  }

  /** The upload URL's POST: stores the bytes of the form's file field. */
  upload(id: string, content: string): SlackAnswer {
    const file = this.files.get(id);
    if (!file) return { status: 404, body: 'not found' };
    file.content = content;
    return { status: 200, body: `OK - ${Buffer.byteLength(content)}` };
  }

  private channel(reference: string | undefined): string | undefined {
    if (!reference) return undefined;
    const name = reference.replace(/^#/, '');
    return this.channels.find((channel) => channel.id === reference || channel.name === name)?.id;
  }
}

function ok(body: unknown): SlackAnswer {
  return { status: 200, body };
}
