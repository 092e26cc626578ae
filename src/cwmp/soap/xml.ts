/**
 * Writing XML text: escaping and the few element shapes CWMP uses.
 *
 * XML 1.0 cannot carry most C0 control characters even as character
 * references, so they are dropped (as are U+FFFE/U+FFFF and lone
 * surrogates); CR and C1 controls are written as character references so
 * they survive line-end normalisation; tab and LF stay literal.
 */

const NEEDS_ESCAPE = /[&<>"'\x00-\x08\x0B-\x1F\x7F-\x9F\uFFFE\uFFFF\uD800-\uDFFF]/u;
const ESCAPABLE = /[&<>"'\x00-\x08\x0B-\x1F\x7F-\x9F\uFFFE\uFFFF\uD800-\uDFFF]/gu;

const NAMED: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

function escapeChar(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const cp = ch.charCodeAt(0);
  return cp === 0x0d || (cp >= 0x7f && cp <= 0x9f) ? `&#${cp};` : '';
}

/** Escapes text for element content or a quoted attribute value. */
export function escapeXml(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPABLE, escapeChar) : text;
}

/** <name>escaped text</name> */
export function textElement(name: string, text: string): string {
  return `<${name}>${escapeXml(text)}</${name}>`;
}

/** A SOAP-encoded array: <name soap-enc:arrayType="type[n]">members</name>. */
export function arrayElement(name: string, memberType: string, count: number, members: string): string {
  return `<${name} soap-enc:arrayType="${memberType}[${count}]">${members}</${name}>`;
}
