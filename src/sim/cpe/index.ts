/**
 * The simulated CPE's side of the CWMP RPCs: pure functions over a DeviceModel.
 */
export { handleRequest, supportedMethods } from './rpc';
export { informParameters, wanExternalIpPath } from './inform';
export { CPE_METHODS, type CpeMethod, type LiveValues, type RpcOptions, type RpcResult } from './options';
export type { Effect, EffectKind } from './effects';
export { checkFaultInjection, faultInjectionFromFlags, injectedFaults, isFaultyDevice, type FaultFlags, type FaultInjection } from './fault-injection';
