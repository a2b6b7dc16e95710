// The structured-output mode: a small JSON Schema (`trip_plan`), sent as the response's
// `text.format` through `jsonSchemaFormat`, and a validator in the Standard Schema shape
// (`~standard.validate`, what zod 4, valibot or arktype schemas have; written by hand here, so
// the page needs no dependency). While the answer streams, `stream.partialParsed` is the object
// so far; at the end `output_parsed` is the parsed value, checked by the validator.

export const TRIP_FORMAT_NAME = 'trip_plan';

export const TRIP_SCHEMA = {
  type: 'object',
  properties: {
    city: { type: 'string', description: 'Where the trip goes' },
    days: { type: 'integer', minimum: 1, maximum: 14, description: 'How many days' },
    season: { type: 'string', enum: ['spring', 'summer', 'autumn', 'winter'] },
    highlights: { type: 'array', items: { type: 'string' }, description: 'Things to see, most worth it first' },
  },
  required: ['city', 'days', 'season', 'highlights'],
  additionalProperties: false,
};

/** The fields in schema order, with their labels. */
export const TRIP_FIELDS = [
  ['city', 'City'],
  ['days', 'Days'],
  ['season', 'Season'],
  ['highlights', 'Highlights'],
];

/** Issues of a value against TRIP_SCHEMA (what the schema says, checked by hand). */
function issues(v) {
  const out = [];
  const at = (key, message) => out.push({ message, path: [key] });
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return [{ message: 'expected an object' }];
  if (typeof v.city !== 'string' || !v.city.trim()) at('city', 'expected a non-empty string');
  if (!Number.isInteger(v.days) || v.days < 1 || v.days > 14) at('days', 'expected an integer from 1 to 14');
  if (!TRIP_SCHEMA.properties.season.enum.includes(v.season)) at('season', 'expected spring, summer, autumn or winter');
  if (!Array.isArray(v.highlights) || !v.highlights.every((h) => typeof h === 'string')) at('highlights', 'expected a list of strings');
  for (const k of Object.keys(v)) if (!(k in TRIP_SCHEMA.properties)) at(k, 'unexpected field');
  return out;
}

/** A Standard Schema (v1) validator of a trip plan. */
export const tripValidator = {
  '~standard': {
    version: 1,
    vendor: 'cometapi-responses-demo',
    validate(value) {
      const found = issues(value);
      return found.length ? { issues: found } : { value };
    },
  },
};
