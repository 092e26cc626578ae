/**
 * Operator extensions: the host side of `ext(name, ...args)` in provisioning
 * scripts (see README.md in this folder).
 */
export { ExtensionHost, type BuiltinExtension, type ExtensionHostOptions } from './host';
export { parseExtName, type ExtOutcome, type ExtFaultCode, type ExtName } from './protocol';
