/**
 * Escaping text for HTML and SVG, shared by the loss curve and the report.
 * @module
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes `&`, `<`, `>`, `"` and `'`, so that `text` is safe as element content and inside quoted attributes.
 *
 * @example
 * ```ts
 * escapeMarkup('a < b & "c"'); // 'a &lt; b &amp; &quot;c&quot;'
 * ```
 */
export function escapeMarkup(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ENTITIES[ch]!);
}
