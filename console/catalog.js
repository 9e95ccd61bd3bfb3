// The billing tags of GET /v1/catalog: their names in both languages, unit prices and pack tiers.
import { fetchCatalog } from "./api.js";
import { currentLanguage } from "./i18n.js";

let tagsById = new Map();

export async function loadCatalog() {
  const catalog = await fetchCatalog();
  tagsById = new Map(catalog.billing_tags.map((tag) => [tag.id, tag]));
}

export function tagName(id) {
  const tag = tagsById.get(id);
  if (!tag) return id;
  return currentLanguage() === "en" ? tag.name_en : tag.name_zh;
}

export function allTags() {
  return [...tagsById.values()];
}

export function tag(id) {
  return tagsById.get(id);
}

/** Tags that sell packs, for the purchase form. */
export function packTags() {
  return allTags().filter((tag) => !tag.postpaid_only && tag.packs.length > 0);
}
