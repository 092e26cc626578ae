'use strict';
/**
 * Example extension. In a provision script:
 *
 *   const serial = declare('DeviceID.SerialNumber', { value: Date.now() }).value[0];
 *   const order = ext('example-orders', serial);
 *   declare('Device.WiFi.SSID.1.SSID', null, { value: order.wifi.ssid });
 *
 * Returns a made-up order for a serial number. A real extension would look
 * the serial up in the operator's order system (and may be async); this one
 * is a pure function: the same serial always gets the same order.
 */
const PLANS = ['basic-50', 'plus-200', 'max-1000'];

module.exports = function exampleOrder(serialNumber) {
  if (typeof serialNumber !== 'string' || serialNumber === '') {
    throw new Error('example-orders: expected a serial number (a non-empty string)');
  }
  let hash = 0;
  for (const ch of serialNumber) hash = (Math.imul(hash, 31) + ch.codePointAt(0)) >>> 0;
  return {
    serialNumber,
    orderId: `ORD-${String(hash % 1_000_000).padStart(6, '0')}`,
    plan: PLANS[hash % PLANS.length],
    wifi: { ssid: `Home-${serialNumber.slice(-4)}`, band: hash % 2 === 0 ? '2.4GHz' : '5GHz' },
  };
};
