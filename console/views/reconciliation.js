// The nightly reconciliation (GET /v1/reconciliation, operator): what the `reconciliation` job found for a billing
// date (last night's, the day before today, until another is picked): how much it checked and every difference.
import { ApiError } from "../api.js";
import { addDays, billingToday } from "../dates.js";
import { h, card, field, table } from "../dom.js";
import { count, instant } from "../format.js";
import { hasText } from "../i18n.js";

const CHECKS = ["WALLET_BALANCE", "PACK_REMAINING", "BILLED_CALLS", "DEFERRED_REVENUE"];
// The date the operator picked, kept while they move between views; empty means last night's.
let chosenDate = "";

export async function render(page, context) {
  const { t, api, rerender } = context;
  const date = chosenDate || addDays(billingToday(), -1);
  const picker = h("input", { type: "date", id: "reconciliation-date", value: date, required: true,
    onchange: (event) => {
      chosenDate = event.target.value;
      rerender();
    } });
  page.append(card(t("reconciliation.title"),
    h("div", { class: "toolbar" }, field(t("reconciliation.date"), picker)),
    h("p", { class: "hint" }, t("reconciliation.intro"))));
  let result;
  try {
    result = await api.get("/v1/reconciliation", { date });
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
    page.append(card(null, h("p", { id: "reconciliation-not-run", class: "state" },
      t("reconciliation.notRun", { date }))));
    return;
  }
  page.append(summary(t, result), differences(t, result), checkList(t));
}

function summary(t, result) {
  const found = result.differences.length;
  const facts = [
    [t("reconciliation.billingDate"), h("span", { id: "reconciliation-billing-date" }, result.date)],
    [t("reconciliation.ranAt"), h("span", { id: "reconciliation-ran-at" }, instant(result.ran_at))],
    [t("reconciliation.accountsChecked"), h("span", { id: "reconciliation-accounts" }, count(result.accounts_checked))],
    [t("reconciliation.packsChecked"), h("span", { id: "reconciliation-packs" }, count(result.packs_checked))],
  ];
  return card(t("reconciliation.resultTitle", { date: result.date }),
    h("p", {}, h("span", { id: "reconciliation-status", class: `badge ${found ? "different" : "clean"}` },
      found ? t("reconciliation.differencesFound", { n: count(found) }) : t("reconciliation.clean"))),
    h("dl", { class: "facts" }, facts.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])));
}

function checkName(t, check) {
  return hasText(`reconciliation.check.${check}`) ? t(`reconciliation.check.${check}`) : check;
}

function differences(t, result) {
  if (!result.differences.length) {
    return card(t("reconciliation.differencesTitle"), h("p", { id: "reconciliation-clean", class: "state clean" },
      t("reconciliation.none")));
  }
  return card(t("reconciliation.differencesTitle"), table([
    { title: t("reconciliation.accountId"), cell: (d) => d.account_id },
    { title: t("reconciliation.check"), cell: (d) => [checkName(t, d.check), h("small", { class: "sub" }, d.check)] },
    { title: t("reconciliation.expected"), cell: (d) => d.expected, className: "number" },
    { title: t("reconciliation.actual"), cell: (d) => d.actual, className: "number" },
  ], result.differences, { id: "reconciliation-differences", empty: "",
    rowAttributes: (d) => ({ "data-account-id": d.account_id, "data-check": d.check }) }));
}

function checkList(t) {
  return card(t("reconciliation.checksTitle"), h("dl", { class: "facts" }, CHECKS.map((check) => [
    h("dt", {}, checkName(t, check)), h("dd", {}, t(`reconciliation.explain.${check}`))])));
}
