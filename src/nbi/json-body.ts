import type { Context } from 'koa';
import { AcsError } from '../errors';

/** Largest JSON body the northbound API reads: a task is a few KB. */
const MAX_BODY = 1024 * 1024;

/** The request's body as UTF-8 text; 413 for one over 1 MiB. */
export async function textBody(ctx: Context): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new AcsError('ACS_ERR_BODY_TOO_LARGE', `body larger than ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The request's JSON body; 413 for one over 1 MiB, 400 (ACS_ERR_BAD_REQUEST) for one that is not JSON. */
export async function jsonBody(ctx: Context): Promise<unknown> {
  const text = await textBody(ctx);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new AcsError('ACS_ERR_BAD_REQUEST', `body is not JSON: ${(err as Error).message}`);
  }
}
