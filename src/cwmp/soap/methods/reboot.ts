/**
 * Reboot (TR-069 A.3.2.9), ACS -> CPE. In: CommandKey string(32). Out: empty.
 * The CPE reboots after the session and reports "1 BOOT" + "M Reboot" (CommandKey echoed).
 */
import type { Reboot as Request, RebootResponse as Response } from '../types';
import { commandKeyOnly, noArguments, rpc } from './shared';

export const Reboot = rpc<Request>('Reboot', commandKeyOnly);
export const RebootResponse = noArguments<Response>('RebootResponse');
