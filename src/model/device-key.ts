import type { DeviceIdStruct } from '../cwmp/soap/types';
import type { DeviceKey } from '../db/types';

/**
 * Percent-encodes one part of a device key. "-" separates the parts, so it is
 * encoded too (%2D), as GenieACS operators already expect.
 */
function encodePart(part: string): string {
  return encodeURIComponent(part).replace(/-/g, '%2D').replace(/[!'()*~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** The device's id: "OUI-ProductClass-SerialNumber". */
export function deviceKeyOf(id: DeviceIdStruct): DeviceKey {
  return [id.OUI, id.ProductClass, id.SerialNumber].map(encodePart).join('-');
}
