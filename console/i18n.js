// Every text of the console comes from one dictionary per language; Chinese by default.
import en from "./i18n/en.js";
import zh from "./i18n/zh.js";

const DICTIONARIES = { zh, en };
const STORAGE_KEY = "console.language";

let language = localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "zh";

export function currentLanguage() {
  return language;
}

export function setLanguage(next) {
  language = next === "en" ? "en" : "zh";
  localStorage.setItem(STORAGE_KEY, language);
  document.documentElement.lang = language === "en" ? "en" : "zh-CN";
}

export function t(key, params = {}) {
  const text = DICTIONARIES[language][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

export function hasText(key) {
  return Object.hasOwn(DICTIONARIES[language], key);
}

/** The text of an API error code where the dictionary has one, else the API's own message. */
export function errorText(error) {
  const key = `error.${error.code}`;
  return hasText(key) ? t(key) : error.message;
}
