/**
 * FactoryReset (TR-069 A.4.1.6), ACS -> CPE. No arguments; empty response.
 * The next Inform carries "0 BOOTSTRAP".
 */
import type { FactoryReset as Request, FactoryResetResponse as Response } from '../types';
import { noArguments } from './shared';

export const FactoryReset = noArguments<Request>('FactoryReset');
export const FactoryResetResponse = noArguments<Response>('FactoryResetResponse');
