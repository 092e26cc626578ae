/**
 * Kicked (TR-069 A.4.2.1, deprecated), CPE -> ACS after a web "kick".
 * In: Command(32), Referer(64), Arg(256), Next(1024). Out: NextURL(1024).
 */
import { str, trimmed } from '../codec';
import type { Kicked as Request, KickedResponse as Response } from '../types';
import { rpc } from './shared';

export const Kicked = rpc<Request>('Kicked', { Command: trimmed, Referer: trimmed, Arg: str, Next: trimmed });
export const KickedResponse = rpc<Response>('KickedResponse', { NextURL: trimmed });
