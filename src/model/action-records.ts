/**
 * The ACS's records of what it asked a device to do (Reboot, FactoryReset,
 * Downloads.N, Uploads.N), kept beside the cached data model under these
 * synthetic roots. They describe the ACS, not the device: a BOOTSTRAP that
 * clears the cached model keeps them, so an action done once is not done again.
 */
export const ACTION_ROOTS: ReadonlySet<string> = new Set(['Reboot', 'FactoryReset', 'Downloads', 'Uploads']);

/** The store's prefixes of every action record ("X" one row, "X." a subtree). */
export const ACTION_PREFIXES: readonly string[] = ['Reboot', 'FactoryReset', 'Downloads.', 'Uploads.'];

export function isActionRecord(path: string): boolean {
  const dot = path.indexOf('.');
  return ACTION_ROOTS.has(dot < 0 ? path : path.slice(0, dot));
}
