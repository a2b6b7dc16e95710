// The README as npm shows it: relative links made absolute (used by scripts/package-json.mjs).

/**
 * Markdown links `[text](path)`, images `![alt](path)` and reference definitions `[id]: path`
 * with a relative target become absolute: links to the file on GitHub (`blob/main/…`), images to
 * its raw bytes. Anchors (`#…`), absolute URLs and `mailto:` are left alone.
 */
export function absoluteReadmeLinks(markdown, repository, ref = 'main') {
  const base = repository.replace(/\/$/, '');
  const raw = base.replace(/^https:\/\/github\.com\//, 'https://raw.githubusercontent.com/');
  const relative = (target) => !/^([a-z][a-z0-9+.-]*:|#|\/\/)/i.test(target);
  const absolute = (target, image) => {
    const path = target.replace(/^\.\//, '').replace(/^\//, '');
    return image ? `${raw}/${ref}/${path}` : `${base}/blob/${ref}/${path}`;
  };
  // code spans and fenced blocks are not links: leave them untouched
  return markdown
    .split(/(```[\s\S]*?```|`[^`\n]*`)/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part
            .replace(/(!?)\[([^\]]*)\]\(([^)\s]+)((?:\s+"[^"]*")?)\)/g, (m, bang, text, target, title) =>
              relative(target) ? `${bang}[${text}](${absolute(target, bang === '!')}${title})` : m,
            )
            .replace(/^(\[[^\]]+\]:\s*)(\S+)/gm, (m, label, target) => (relative(target) ? `${label}${absolute(target, false)}` : m)),
    )
    .join('');
}
