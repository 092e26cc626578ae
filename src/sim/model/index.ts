/**
 * The simulated device's data model: shared immutable base models (from CSV
 * dumps or generated from the BBF definitions) and cheap per-device views.
 */
export { BaseModel, buildBaseModel, type BuildOptions, type ModelEntry, type Template, type TemplateEntry } from './base';
export { BBF_DATAMODEL_DIR, generateBbfModel, type BbfModelOptions } from './bbf';
export { loadCsvModel, parseCsv, type CsvModelOptions } from './csv';
export { DeviceModel, createDevice, type AddedNode, type NodeRef } from './device';
export { genericPath, parentPath, lastSegment } from './paths';
export { TransferQueue, type QueuedTransfer, type TransferRequest, type TransferState } from './transfers';
export {
  ActiveNotify,
  IDENTITY_PATHS,
  NodeFlag,
  UNKNOWN_TIME,
  XSD_TYPES,
  type ActiveNotifyPolicy,
  type Attributes,
  type Constraint,
  type DeviceIdentity,
  type RootKind,
} from './types';
export { checkValue, defaultValue, isDateTime, type ValueCheck } from './values';
