import type { TestAcs } from '../helpers/acs';

/** A REST API call of the QoE suites: its status and its JSON body (null when empty). */
// `any`: the suites read many response shapes, and each asserts the fields it reads.
export type JsonReply = { status: number; body: any };

export async function nbiJson(t: TestAcs, path: string, init?: RequestInit): Promise<JsonReply> {
  const r = await t.nbi(path, init);
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}
