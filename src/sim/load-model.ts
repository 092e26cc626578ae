import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generateBbfModel, loadCsvModel, type BaseModel } from './model';

/**
 * `--model` of the simulator: a GenieACS-style CSV dump of a real device, or
 * "tr181" / "tr098" for a device generated from the BBF data model.
 */
export function loadModel(spec: string): BaseModel {
  if (spec === 'tr181' || spec === 'tr098') return generateBbfModel(spec);
  let text: string;
  try {
    text = readFileSync(spec, 'utf8');
  } catch (err) {
    throw new Error(`--model ${spec}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message} (give a CSV dump, tr181 or tr098)`);
  }
  return loadCsvModel(text, { name: path.basename(spec) });
}
