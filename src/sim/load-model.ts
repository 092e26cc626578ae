import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generateBbfModel, loadCsvModel, type BaseModel } from './model';
import { parseBbfModelName } from './model/bbf-services';

/**
 * `--model` of the simulator: a GenieACS-style CSV dump of a real device, or
 * "tr181" / "tr098" for a device generated from the BBF data model, with
 * "+stb" (a TR-135 set-top box) and "+voice" (TR-104 voice) to add services.
 */
export function loadModel(spec: string): BaseModel {
  const bbf = parseBbfModelName(spec);
  if (bbf) return generateBbfModel(bbf.root, { services: bbf.services });
  let text: string;
  try {
    text = readFileSync(spec, 'utf8');
  } catch (err) {
    throw new Error(`--model ${spec}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message} (give a CSV dump, tr181 or tr098)`);
  }
  return loadCsvModel(text, { name: path.basename(spec) });
}
