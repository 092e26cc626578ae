import { InitialSchema1732600000000 } from './1732600000000-initial-schema';

/** Every migration, oldest first; TypeORM records the applied ones in the "migrations" table. */
export const MIGRATIONS = [InitialSchema1732600000000];
