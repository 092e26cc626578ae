/**
 * Splitting a CSV bulk data report into records and fields (RFC 4180 as
 * TR-069 Annex N uses it), with the separators and escape character the
 * profile configured (CSVEncoding.FieldSeparator, RowSeparator,
 * EscapeCharacter).
 *
 * A field that starts with the escape character is enclosed by it, and the
 * character doubled inside stands for itself ("a ""b"""). Inside an
 * unenclosed field, an escape character other than '"' makes the next
 * character literal (a\,b), as CPEs with a backslash escape do. Rows may end
 * in LF, CR LF or CR whatever RowSeparator says: CPEs mix them.
 */
import { AcsError } from '../../errors';

export interface CsvSyntax {
  /** Default: guessed from the first row among , ; TAB | (the one that occurs most), else ",". */
  fieldSeparator?: string;
  /** Default: LF, CR LF or CR. */
  rowSeparator?: string;
  /** Default '"'. */
  escapeCharacter?: string;
}

/** One record: its fields and the line it starts on (1-based), for messages. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

const CANDIDATE_SEPARATORS = [',', ';', '\t', '|'];

export function badCsv(line: number, message: string): AcsError {
  return new AcsError('ACS_ERR_BAD_BODY', `bulk data CSV line ${line}: ${message}`);
}

/** The field separator the first row uses, when the profile's is not given. */
export function guessFieldSeparator(text: string): string {
  const first = text.slice(0, text.search(/[\r\n]|$/));
  let best = ',';
  let most = 0;
  for (const sep of CANDIDATE_SEPARATORS) {
    const n = first.split(sep).length - 1;
    if (n > most) [best, most] = [sep, n];
  }
  return best;
}

/** A state machine over the text: one pass, no regular expressions per field. */
class Reader {
  private i = 0;
  private line = 1;
  readonly records: CsvRecord[] = [];

  constructor(
    private readonly text: string,
    private readonly sep: string,
    private readonly rowSep: string | undefined,
    private readonly esc: string,
  ) {}

  read(): CsvRecord[] {
    while (this.i < this.text.length) {
      const start = this.line;
      const fields = this.record();
      // Blank lines (and a trailing row separator) carry nothing.
      if (!(fields.length === 1 && fields[0] === '')) this.records.push({ line: start, fields });
    }
    return this.records;
  }

  /** Length of the row separator at the cursor, 0 if none. */
  private rowEnd(): number {
    const t = this.text;
    if (this.rowSep !== undefined && this.rowSep !== '' && t.startsWith(this.rowSep, this.i)) return this.rowSep.length;
    if (t[this.i] === '\r') return t[this.i + 1] === '\n' ? 2 : 1;
    return t[this.i] === '\n' ? 1 : 0;
  }

  private record(): string[] {
    const fields: string[] = [];
    for (;;) {
      fields.push(this.text.startsWith(this.esc, this.i) ? this.enclosed() : this.plain());
      if (this.i >= this.text.length) return fields;
      const end = this.rowEnd();
      if (end > 0) {
        this.i += end;
        this.line++;
        return fields;
      }
      this.i += this.sep.length;
    }
  }

  private plain(): string {
    let out = '';
    const t = this.text;
    while (this.i < t.length && !t.startsWith(this.sep, this.i) && this.rowEnd() === 0) {
      if (this.esc !== '"' && t.startsWith(this.esc, this.i) && this.i + this.esc.length < t.length) {
        this.i += this.esc.length;
      }
      out += t[this.i++];
    }
    return out;
  }

  private enclosed(): string {
    const t = this.text;
    const startLine = this.line;
    this.i += this.esc.length;
    let out = '';
    for (;;) {
      if (this.i >= t.length) throw badCsv(startLine, `field opened with ${JSON.stringify(this.esc)} is never closed`);
      if (t.startsWith(this.esc, this.i)) {
        this.i += this.esc.length;
        if (!t.startsWith(this.esc, this.i)) break;
      }
      if (t[this.i] === '\n') this.line++;
      out += t[this.i++];
    }
    // Text after the closing escape character, up to the separator, is kept as is (tolerated, not RFC 4180).
    return out + this.plain();
  }
}

/** The records of a CSV text. Throws naming the line of an unclosed enclosed field. */
export function readRecords(text: string, syntax: CsvSyntax = {}): CsvRecord[] {
  const sep = syntax.fieldSeparator || guessFieldSeparator(text);
  const esc = syntax.escapeCharacter || '"';
  const rowSep = syntax.rowSeparator === '\n' || syntax.rowSeparator === '\r\n' ? undefined : syntax.rowSeparator;
  if (rowSep !== undefined && rowSep === sep) throw new AcsError('ACS_ERR_BAD_BODY', 'bulk data CSV: field and row separators are the same');
  return new Reader(text, sep, rowSep, esc).read();
}
