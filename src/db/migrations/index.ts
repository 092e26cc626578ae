import { InitialSchema1732600000000 } from './1732600000000-initial-schema';
import { ChannelFaults1764000000000 } from './1764000000000-channel-faults';

/** Every migration, oldest first; TypeORM records the applied ones in the "migrations" table. */
export const MIGRATIONS = [InitialSchema1732600000000, ChannelFaults1764000000000];
