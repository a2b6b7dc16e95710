// Every timed result is checked before its time is kept: a wrong result is a Wrong (the run
// prints FAIL for it and exits non-zero).
export class Wrong extends Error {}

/**
 * r: { text, events, deltas?, done? } from a consumer; exp: { text, events, deltas }.
 * A consumer that does not see the wire events (the AI SDK hands out parts) reports
 * `events: undefined` and its text-delta count as `deltas`.
 */
export function check(r, exp, who) {
  if (r.events !== undefined) {
    if (exp.events !== undefined && r.events !== exp.events) throw new Wrong(`${who}: ${r.events} events, expected ${exp.events}`);
  } else if (exp.deltas !== undefined && r.deltas !== exp.deltas) {
    throw new Wrong(`${who}: ${r.deltas} text deltas, expected ${exp.deltas}`);
  }
  if (r.done === false) throw new Wrong(`${who}: the stream did not end with its terminal event`);
  if (exp.text !== undefined && r.text === null) throw new Wrong(`${who}: no final text`);
  if (exp.text !== undefined && r.text !== undefined && r.text !== exp.text)
    throw new Wrong(`${who}: final text differs (length ${r.text?.length} vs ${exp.text.length})`);
}
