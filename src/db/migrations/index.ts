import { InitialSchema1732600000000 } from './1732600000000-initial-schema';
import { ChannelFaults1764000000000 } from './1764000000000-channel-faults';
import { IdentityCollation1765000000000 } from './1765000000000-identity-collation';
import { DeviceEvents1765100000000 } from './1765100000000-device-events';

/** Every migration, oldest first; TypeORM records the applied ones in the "migrations" table. */
export const MIGRATIONS = [
  InitialSchema1732600000000,
  ChannelFaults1764000000000,
  IdentityCollation1765000000000,
  DeviceEvents1765100000000,
];
