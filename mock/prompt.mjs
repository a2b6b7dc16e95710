// What the mock model reads from a prompt to fill tool arguments and plan tool rounds:
// places ("the weather in Lisbon and Tokyo"), the rounds a prompt asks for ("…, then in
// Oslo"), enum values it mentions ("in fahrenheit"), numbers next to a parameter's name
// ("for 3 days"), e-mail addresses, URLs and dates. Plain heuristics, deterministic.

/** Words that start with a capital but are not places. */
const NOT_PLACES = new Set([
  'I', 'A', 'An', 'The', 'What', 'Whats', 'What\'s', 'How', 'Is', 'Are', 'Can', 'Could', 'Please', 'Tell', 'Give',
  'Use', 'Call', 'Check', 'Get', 'Show', 'Find', 'Look', 'Then', 'And', 'Or', 'But', 'Also', 'After', 'Next', 'Now',
  'Today', 'Tomorrow', 'Yesterday', 'Celsius', 'Fahrenheit', 'Kelvin', 'Monday', 'Tuesday', 'Wednesday', 'Thursday',
  'Friday', 'Saturday', 'Sunday', 'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
  'September', 'October', 'November', 'December', 'Weather', 'Compare', 'Do', 'Does', 'Will', 'Would', 'Should',
  'It', 'Its', 'My', 'Me', 'We', 'You', 'Your', 'Thanks', 'Thank', 'Hi', 'Hello', 'Hey', 'There', 'Here', 'This',
  'That', 'These', 'Those', 'Which', 'Who', 'When', 'Where', 'Why', 'In', 'At', 'For', 'Of', 'To', 'From', 'About',
]);

/** Countries that may follow a city after a comma ("Paris, France"): one place, not two. */
const COUNTRIES = new Set([
  'France', 'Portugal', 'Spain', 'Italy', 'Germany', 'Japan', 'China', 'India', 'Brazil', 'Canada', 'Mexico',
  'Norway', 'Sweden', 'Denmark', 'Finland', 'Poland', 'Greece', 'Turkey', 'Egypt', 'Kenya', 'Nigeria', 'Chile',
  'Argentina', 'Peru', 'Australia', 'Ireland', 'Austria', 'Switzerland', 'Belgium', 'Netherlands', 'Korea',
  'UK', 'USA', 'US', 'England', 'Scotland', 'Wales', 'Iceland', 'Morocco', 'Vietnam', 'Thailand', 'Indonesia',
]);

const CAP_WORD = /^\p{Lu}[\p{L}\p{M}'’-]*$/u;
const WORD = /[\p{L}\p{M}\p{N}'’-]+|[,&.?!;:]/gu;
const BEFORE_PLACE = new Set(['in', 'at', 'for', 'of', 'about', 'near', 'to', 'from', 'around', 'between', 'vs', 'versus']);
const LIST = new Set([',', '&', 'and', 'or', 'vs', 'versus']);
const clean = (w) => w.replace(/['’]s$|['’]+$/u, '');
const capital = (w) => w !== undefined && CAP_WORD.test(w) && !NOT_PLACES.has(clean(w));

/**
 * Places named in `text`, in order, without repeats: runs of capitalised words after a
 * preposition (`in`, `at`, `for`, `to`, `from` …), after a place and a list word (`and`,
 * `,`, `or`), or inside a sentence (a capital at the start of a sentence alone is not
 * enough). "Paris, France" stays one place. `cued`: only places after a preposition
 * (or listed after one): "the weather in Lisbon", not "my name is Ada".
 */
export function placesIn(text, { cued = false } = {}) {
  const words = String(text).slice(0, 4000).match(WORD) ?? [];
  const out = [];
  let lastPlaceEnd = -2; // index of the last word of the last place
  for (let i = 0; i < words.length; i++) {
    if (!capital(words[i])) continue;
    const prev = words[i - 1]?.toLowerCase();
    const sentenceStart = i === 0 || /^[.?!;:]$/.test(words[i - 1]);
    const listed = LIST.has(prev) && lastPlaceEnd === i - 2;
    const start = i;
    const run = [];
    while (i < words.length && capital(words[i])) run.push(clean(words[i++]));
    let place = run.join(' ');
    if (words[i] === ',' && COUNTRIES.has(clean(words[i + 1] ?? ''))) {
      place += `, ${clean(words[i + 1])}`;
      i += 2;
    }
    i--;
    const counts = BEFORE_PLACE.has(prev) || listed || (!cued && !sentenceStart && start > 0);
    if (!counts || COUNTRIES.has(place)) continue;
    lastPlaceEnd = i;
    if (!out.includes(place)) out.push(place);
  }
  return out;
}

/** The prompt cut into the rounds it asks for: "A and B, then C" → ["A and B", "C"]. */
export function roundsIn(text) {
  return String(text).slice(0, 4000)
    .split(/\b(?:and then|then|after that|afterwards|once you have (?:that|it|them)|next)\b[,:]?/i)
    .map((s) => s.trim())
    .filter(Boolean);
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A string enum value that `text` mentions as a word, or undefined. */
export function enumIn(text, values) {
  const t = String(text);
  return values.find((v) => typeof v === 'string' && v && new RegExp(`(^|[^\\p{L}])${escape(v)}($|[^\\p{L}])`, 'iu').test(t));
}

/** A number written next to a parameter's name ("3 days", "days: 3", "limit of 10"), or undefined. */
export function numberFor(text, name) {
  const words = name.replace(/_/g, ' ').trim();
  if (!words) return undefined;
  const n = escape(words.replace(/s$/i, ''));
  const m = new RegExp(`(-?\\d+(?:\\.\\d+)?)\\s*${n}s?\\b|\\b${n}s?\\s*(?:of|=|:|is)?\\s*(-?\\d+(?:\\.\\d+)?)`, 'i').exec(String(text));
  return m ? Number(m[1] ?? m[2]) : undefined;
}

/** The first e-mail address, URL or ISO date in `text`. */
export const emailIn = (text) => /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/.exec(text)?.[0];
export const urlIn = (text) => /\bhttps?:\/\/[^\s"'<>]+[^\s"'<>.,;:!?)]/.exec(text)?.[0];
export const dateIn = (text) => /\b\d{4}-\d{2}-\d{2}\b/.exec(text)?.[0];

/** Parameter names that take a place, and names that take the user's words. */
export const PLACE_PARAM = /^(city|location|place|town|where|address|destination|origin|region|city_name|location_name)$/i;
export const TEXT_PARAM = /^(query|q|search|search_query|text|topic|question|prompt|input|message|keywords?|terms?|subject)$/i;

/** The user's words as an argument: trimmed, the closing punctuation left out. */
export function asArgument(text, max = 200) {
  const s = String(text).replace(/\s+/g, ' ').trim().replace(/[?!.]+$/, '');
  const chars = Array.from(s);
  return chars.length > max ? chars.slice(0, max).join('') : s;
}
