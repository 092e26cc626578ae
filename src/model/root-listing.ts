/**
 * When the ACS last listed the device's top-level objects (a
 * GetParameterNames of "", which names "InternetGatewayDevice." or
 * "Device."). Absence is known from a listing: a child the listed object does
 * not name is not there. Every object keeps its listing time in its own row,
 * but the store keeps no row for the root "", so this synthetic row is the
 * root's: with it, the root a device lacks ("Device." on a TR-098 CPE) stays
 * known absent in later sessions instead of being asked about each time.
 * Like the rest of the cached model, and unlike the action records, it goes
 * at a BOOTSTRAP; a clear() older than it drops it (the root is above every
 * path, see db/cache-ops.ts).
 */
export const ROOT_LISTING = 'RootsListed';

/** Whether a cached row is shown with the device's data (GET /devices/:id, GenieACS's device documents): the listing stamp is the ACS's bookkeeping. */
export function isShownParameter(path: string): boolean {
  return path !== ROOT_LISTING;
}
