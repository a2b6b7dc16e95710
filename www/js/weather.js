// The demo's built-in function tool. The model only ever sees the JSON schema; when it
// calls `get_weather`, the page runs `runTool` right here in the browser (fake,
// deterministic data: the same city always gives the same weather) and sends the
// result back as a `function_call_output` item: one plain sentence, which a model reads
// as well as JSON and which reads well when an answer quotes it.

export const WEATHER_TOOL = {
  type: 'function',
  name: 'get_weather',
  description: 'Get the current weather for a city. (Demo data, computed locally in the browser.)',
  parameters: {
    type: 'object',
    properties: {
      city: { type: 'string', description: 'City name, optionally with country, e.g. "Lisbon, Portugal"' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'], description: 'Temperature unit' },
    },
    required: ['city', 'unit'],
    additionalProperties: false,
  },
  strict: true,
};

const CONDITIONS = ['sunny', 'partly cloudy', 'overcast', 'light rain', 'windy', 'clear skies', 'scattered showers', 'foggy'];

/** FNV-1a: a small stable hash, so the fake weather depends only on the city name. */
function hash(s) {
  let x = 0x811c9dc5;
  for (const ch of s) {
    x ^= ch.codePointAt(0);
    x = Math.imul(x, 0x01000193) >>> 0;
  }
  return x;
}

/** Fake weather for a city: {city, unit, temperature, conditions, humidity, wind_kph}. */
export function getWeather({ city, unit = 'celsius' }) {
  if (typeof city !== 'string' || !city.trim()) throw new Error('`city` must be a non-empty string');
  if (unit !== 'celsius' && unit !== 'fahrenheit') throw new Error('`unit` must be "celsius" or "fahrenheit"');
  const name = city.trim();
  const n = hash(name.toLowerCase());
  const celsius = 4 + (n % 27); // 4–30 °C
  return {
    city: name,
    unit,
    temperature: unit === 'celsius' ? celsius : Math.round(celsius * 9 / 5 + 32),
    conditions: CONDITIONS[(n >>> 5) % CONDITIONS.length],
    humidity: 35 + ((n >>> 9) % 50),
    wind_kph: 3 + ((n >>> 15) % 30),
  };
}

/** The tool's output: `Lisbon: 21 °C, overcast, humidity 44 %, wind 7 km/h (demo data …)`. */
export function describeWeather(w) {
  const deg = w.unit === 'fahrenheit' ? '°F' : '°C';
  return `${w.city}: ${w.temperature} ${deg}, ${w.conditions}, humidity ${w.humidity} %, wind ${w.wind_kph} km/h (demo data computed in your browser)`;
}

/**
 * The tool's code: arguments (already parsed) → the output sentence. Throws on bad arguments
 * (`runTools` sends the message back as the output, so the model can recover).
 */
export function weatherTool(args) {
  return describeWeather(getWeather(args ?? {}));
}

/**
 * Run one function call item from the model by hand (when the library has no `runTools`).
 * Never throws: a bad call becomes an `Error: …` output, which the model can read and recover from.
 * @returns {{ok: boolean, output: string}} output: the text to send back
 */
export function runTool(call) {
  try {
    if (call.name !== WEATHER_TOOL.name) throw new Error(`unknown function "${call.name}"`);
    let args;
    try {
      args = JSON.parse(call.arguments || '{}');
    } catch {
      throw new Error('arguments are not valid JSON');
    }
    return { ok: true, output: weatherTool(args) };
  } catch (e) {
    return { ok: false, output: `Error: ${e.message ?? e}` };
  }
}
