// Times in B3 local time (America/Sao_Paulo, BRT, UTC-3 since Brazil dropped DST in 2019).
export const B3_TZ = 'America/Sao_Paulo';
export const B3_ZONE_LABEL = 'BRT';

const fmtTime = new Intl.DateTimeFormat('en-GB', {
  timeZone: B3_TZ, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
});
const fmtDateTime = new Intl.DateTimeFormat('en-GB', {
  timeZone: B3_TZ, year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
});
const fmtHM = new Intl.DateTimeFormat('en-GB', {
  timeZone: B3_TZ, hour: '2-digit', minute: '2-digit', hour12: false,
});
const fmtDay = new Intl.DateTimeFormat('en-GB', { timeZone: B3_TZ, day: '2-digit', month: 'short' });

function parts(fmt, d) {
  const o = {};
  for (const p of fmt.formatToParts(d)) o[p.type] = p.value;
  return o;
}

/** "2026-11-27 00:39:39" in B3 time. */
export function b3DateTime(d) {
  const p = parts(fmtDateTime, d);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** "00:39:39" in B3 time from an RFC 3339 string (or Date); '—' when absent. */
export function b3Time(t) {
  if (!t) return '—';
  const d = t instanceof Date ? t : new Date(t);
  if (isNaN(d)) return String(t);
  return fmtTime.format(d);
}

/** Full timestamp with the zone, for titles/tooltips. */
export function b3Full(t) {
  if (!t) return '';
  const d = t instanceof Date ? t : new Date(t);
  if (isNaN(d)) return String(t);
  return `${b3DateTime(d)} ${B3_ZONE_LABEL} (${B3_TZ}) — ${t instanceof Date ? d.toISOString() : t}`;
}

/** Chart axis labels: unix seconds -> B3 "HH:MM" (or the day at day boundaries). */
export function b3AxisLabel(sec, dayMark) {
  const d = new Date(sec * 1000);
  return dayMark ? fmtDay.format(d) : fmtHM.format(d);
}

export function b3ChartTime(sec) {
  return b3DateTime(new Date(sec * 1000)) + ' ' + B3_ZONE_LABEL;
}
