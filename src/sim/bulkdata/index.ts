/**
 * Simulated CPEs' TR-069 Annex N bulk data: profiles read from the data
 * model, collections, encodings, HTTP posts, and the fleet's schedule.
 */
export { BulkDataReporter, nextDue, retryWaitS, type BulkDataDevice, type BulkDataOptions, type BulkDataStats, type ReportAttempt } from './reporter';
export { readProfiles, unescapeSeparator, type ProfileConfig } from './config';
export { collect, expandReference, type Collection, type CollectedValue } from './collect';
export { encodeReport, type EncodeOptions, type EncodedReport } from './encode';
export { configureProfile, type ProfileSetup } from './configure';
export { TimerWheel } from './wheel';
