// Billing dates: YYYY-MM-DD in the billing time zone (API.md, Conventions). No API answer names the zone, so
// the console uses the deployment default; "today" is the browser's clock read in that zone.
export const BILLING_ZONE = "Asia/Shanghai";

const DAY_PARTS = new Intl.DateTimeFormat("en-US", { timeZone: BILLING_ZONE, year: "numeric", month: "2-digit",
  day: "2-digit" });

export function billingToday(now = new Date()) {
  const parts = Object.fromEntries(DAY_PARTS.formatToParts(now).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** The billing date `days` after `date` (before it when negative); calendar arithmetic, so no zone is involved. */
export function addDays(date, days) {
  const [year, month, day] = date.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** Every billing date from `from` to `to`, both included, oldest first (none when `from` is after `to`). */
export function datesBetween(from, to) {
  const dates = [];
  for (let date = from; date <= to; date = addDays(date, 1)) dates.push(date);
  return dates;
}
