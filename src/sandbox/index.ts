/**
 * The provisioning-script sandbox (see README.md in this folder): load
 * provisions, run them per device in pooled isolates, read the declarations.
 */
export { SandboxPool, seedOf, type SandboxOptions } from './pool';
export { loadProvisions, scriptFromText, checkSyntax, type LoadedScript, type LoadOptions } from './load';
export { MemoryDeviceView, type MatchResult, type MemoryViewOptions } from './device-view';
export { declarationMet } from './satisfy';
export { parsePattern, PathSyntaxError, type PathSegment, type AliasFilter } from './path-pattern';
export { toScriptValue, toWire, sameValue } from './values';
export * from './types';
