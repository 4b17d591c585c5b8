/**
 * Intl formatters, made once per locale and options. Constructing an
 * Intl.DateTimeFormat costs tens of microseconds; made per chart point it was
 * a tenth of a /usage render's CPU.
 */
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

export function dateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = dateTimeFormats.get(key);
  if (!f) {
    // Bounded by the time zones in use times the handful of option sets in the code.
    if (dateTimeFormats.size > 2000) dateTimeFormats.clear();
    f = new Intl.DateTimeFormat(locale, options);
    dateTimeFormats.set(key, f);
  }
  return f;
}
