/**
 * ScheduleInform (TR-069 A.4.1.2), ACS -> CPE. In: DelaySeconds unsignedInt, CommandKey.
 * Out: empty. The later Inform carries "3 SCHEDULED" + "M ScheduleInform".
 */
import { str, uint } from '../codec';
import type { ScheduleInform as Request, ScheduleInformResponse as Response } from '../types';
import { noArguments, rpc } from './shared';

export const ScheduleInform = rpc<Request>('ScheduleInform', { DelaySeconds: uint, CommandKey: str });
export const ScheduleInformResponse = noArguments<Response>('ScheduleInformResponse');
