/** A duration in words for limits measured in hours or days: "45 s", "12 min", "3 h 12 min", "2 days 3 h". */
export function formatDuration(ms: number): string {
  const totalMinutes = Math.max(0, Math.ceil(ms / 60_000));
  if (ms < 60_000) return `${Math.max(0, Math.ceil(ms / 1000))} s`;
  if (totalMinutes < 60) return `${totalMinutes} min`;
  const days = Math.floor(totalMinutes / 1440);
  const hours = Math.floor((totalMinutes % 1440) / 60);
  const minutes = totalMinutes % 60;
  if (days > 0) return `${days} ${days === 1 ? "day" : "days"}${hours ? ` ${hours} h` : ""}`;
  return `${hours} h${minutes ? ` ${minutes} min` : ""}`;
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** "Tue 14:30" in the process's local time zone (set TZ to choose it). */
export function formatWeekdayTime(date: Date): string {
  const hh = String(date.getHours()).padStart(2, "0");
  const mm = String(date.getMinutes()).padStart(2, "0");
  return `${WEEKDAYS[date.getDay()]} ${hh}:${mm}`;
}

/** "resets in 3 h 12 min" (or "reset time not reported"). */
export function resetsIn(resetsAt: string | undefined, now = Date.now()): string {
  if (!resetsAt) return "reset time not reported";
  const ms = Date.parse(resetsAt) - now;
  return ms <= 0 ? "reset due now" : `resets in ${formatDuration(ms)}`;
}

/** "resets Tue 14:30 (in 2 days 3 h)", for a limit that has been reached. */
export function resetsAtAndIn(resetsAt: Date, now = Date.now()): string {
  return `resets ${formatWeekdayTime(resetsAt)} (in ${formatDuration(resetsAt.getTime() - now)})`;
}
