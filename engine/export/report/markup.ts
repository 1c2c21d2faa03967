/**
 * Safe HTML building for the report: a tagged template `h` that escapes every interpolated value
 * unless it is already markup (`Markup`, made by `h` itself or by `trusted`), and the preparation
 * of a figure's SVG for inlining (prolog removed, scripts and external references refused, ids
 * prefixed so that two figures' clip paths and gradients cannot collide in one page).
 */

/** A piece of HTML that is already safe. */
export class Markup {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

/** Escape text for HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

export type HtmlValue = Markup | string | number | null | undefined | false | readonly HtmlValue[];

function render(v: HtmlValue): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Markup) return v.html;
  if (Array.isArray(v)) return (v as readonly HtmlValue[]).map(render).join('');
  return escapeHtml(String(v));
}

/** HTML template: interpolated strings and numbers are escaped, Markup is inserted as is, arrays are joined. */
export function h(strings: TemplateStringsArray, ...values: HtmlValue[]): Markup {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new Markup(out);
}

/** Markup from a string the caller vouches for (CSS, an SVG checked by inlineSvg). */
export function trusted(html: string): Markup {
  return new Markup(html);
}

/**
 * An SVG document ready to sit inline in the report: without its XML declaration, doctype and
 * leading comments; refused if it holds a script, an event handler, a foreignObject or a
 * reference to anything outside itself; every id (and every reference to one) prefixed.
 */
export function inlineSvg(svg: string, idPrefix: string, what: string): Markup {
  const start = svg.search(/<svg[\s>]/i);
  if (start < 0) throw new Error(`${what} is not an SVG document (no <svg> element)`);
  let body = svg.slice(start).trimEnd();
  if (!/<\/svg>$/i.test(body)) throw new Error(`${what} is not a complete SVG document (it does not end with </svg>)`);
  if (/<script[\s>/]/i.test(body) || /<foreignObject[\s>/]/i.test(body)) throw new Error(`${what} holds a script or foreign content, which a report does not embed`);
  if (/\son[a-z]+\s*=/i.test(body)) throw new Error(`${what} holds an event handler attribute, which a report does not embed`);
  // Every href must point inside the document; the namespace declarations are the only URLs allowed.
  for (const m of body.matchAll(/\b(?:xlink:)?href\s*=\s*(["'])(.*?)\1/gi)) {
    if (!m[2]!.startsWith('#') && !m[2]!.startsWith('data:image/')) throw new Error(`${what} refers to ${m[2]}, outside itself`);
  }
  for (const m of body.matchAll(/url\(\s*(['"]?)([^)'"]*)\1\s*\)/gi)) {
    if (!m[2]!.startsWith('#') && !m[2]!.startsWith('data:')) throw new Error(`${what} refers to ${m[2]}, outside itself`);
  }
  const ids = new Set<string>();
  for (const m of body.matchAll(/\sid\s*=\s*(["'])(.*?)\1/g)) ids.add(m[2]!);
  if (ids.size > 0) {
    const re = (id: string): string => (ids.has(id) ? `${idPrefix}${id}` : id);
    body = body
      .replace(/(\sid\s*=\s*)(["'])(.*?)\2/g, (_all, pre: string, q: string, id: string) => `${pre}${q}${re(id)}${q}`)
      .replace(/(\b(?:xlink:)?href\s*=\s*)(["'])#(.*?)\2/gi, (_all, pre: string, q: string, id: string) => `${pre}${q}#${re(id)}${q}`)
      .replace(/url\(\s*(['"]?)#([^)'"]*)\1\s*\)/gi, (_all, q: string, id: string) => `url(${q}#${re(id)}${q})`);
  }
  return new Markup(body);
}
