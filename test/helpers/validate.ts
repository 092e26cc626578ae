/**
 * XSD validation of CWMP messages with the shared offline validator
 * (../shared/tools/cwmp-validate/validate.sh, xmllint against the BBF XSDs).
 * It costs ~70 ms per file, so callers batch every message into one run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const VALIDATE_SH = resolve(__dirname, '../../../shared/tools/cwmp-validate/validate.sh');

export interface ValidationRun {
  /** 0 all valid, 1 some invalid, 2 setup error. */
  readonly status: number | null;
  readonly output: string;
}

/** Writes each message to `<name>.xml` in a fresh temp dir and validates them all in one validate.sh call. */
export function validateMessages(messages: ReadonlyMap<string, string>, options: { quiet?: boolean } = {}): ValidationRun {
  const dir = mkdtempSync(join(tmpdir(), 'cwmp-validate-'));
  try {
    const files = [...messages].map(([name, xml]) => {
      const file = join(dir, `${name}.xml`);
      writeFileSync(file, xml);
      return file;
    });
    const args = [VALIDATE_SH, ...(options.quiet === false ? [] : ['-q']), ...files];
    const run = spawnSync('bash', args, { encoding: 'utf8' });
    return { status: run.status, output: `${run.stdout}${run.stderr}`.split(dir + '/').join('') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
