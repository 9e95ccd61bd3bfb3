import { currentLanguage } from "./i18n.js";

/** "2026-03-01T12:00:00+08:00" as "2026-03-01 12:00:00": the API answers in the billing zone already. */
export function instant(text) {
  return text ? text.slice(0, 19).replace("T", " ") : "—";
}

export function count(value) {
  return Number(value).toLocaleString(currentLanguage() === "en" ? "en-US" : "zh-CN");
}

/** An amount as the API gives it, with thousands separators added to its digits (never through a float). */
export function money(text) {
  if (text === null || text === undefined) return "—";
  const negative = text.startsWith("-");
  const [whole, decimals] = text.replace("-", "").split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}¥${grouped}${decimals === undefined ? "" : `.${decimals}`}`;
}

export function percent(value) {
  return `${Number(value).toFixed(1)}%`;
}
