// The account's alerts (预警设置): the balance alert (余额预警), a day and a month budget (费用预警) and the
// runway alert, each saved by PATCH on the account and turned off with null, as API.md has them.
import { accountPath } from "../api.js";
import { h, card, field } from "../dom.js";
import { fromInput, signedFromInput } from "../money.js";

/** "50, 80 100" as [50, 80, 100]: 1 to 3 distinct whole percents from 1 to 1000, or null. */
function thresholdsFromInput(text) {
  const words = text.split(/[\s,，]+/).filter(Boolean);
  if (words.length < 1 || words.length > 3 || !words.every((word) => /^\d{1,4}$/.test(word))) return null;
  const numbers = words.map(Number);
  if (numbers.some((n) => n < 1 || n > 1000) || new Set(numbers).size !== numbers.length) return null;
  return numbers.sort((a, b) => a - b);
}

export function runwayFigure(t, account) {
  const days = account.runway_days;
  return h("div", { class: "figure" }, h("span", { class: "label" }, t("alerts.runway")),
    h("strong", { id: "account-runway", title: t("alerts.runwayHint") },
      days === null ? "—" : t("alerts.days", { days })));
}

/** PATCH the account with `changes`, then show it again with "Saved" (or the refusal). */
export function accountSaver({ t, api, account, notify, clearNotice, fail, rerender }) {
  const path = accountPath(account.account_id);
  return async (changes) => {
    clearNotice();
    try {
      await api.patch(path, changes);
      await rerender();
      notify(t("account.saved"));
    } catch (error) {
      fail(error);
    }
  };
}

export function alertsCard(context) {
  const { t, account, notify } = context;
  const save = accountSaver(context);

  const threshold = h("input", { id: "balance-alert-threshold", inputmode: "decimal", placeholder: "100.00",
    value: account.balance_alert?.threshold ?? "" });
  const balanceForm = h("form", { class: "row", id: "balance-alert-form", onsubmit: (event) => {
    event.preventDefault();
    if (threshold.value.trim() === "") return save({ balance_alert: null });
    const amount = signedFromInput(threshold.value);
    if (amount === null) return notify(t("alerts.badThreshold"), "error");
    return save({ balance_alert: { threshold: amount } });
  } }, field(t("alerts.balance"), threshold, t("alerts.balanceHint")),
  h("button", { type: "submit" }, t("alerts.save")));

  const budgets = Object.fromEntries((account.budgets ?? []).map((budget) => [budget.period, budget]));
  const inputs = Object.fromEntries(["day", "month"].map((period) => [period, {
    amount: h("input", { id: `budget-${period}-amount`, inputmode: "decimal", placeholder: "500.00",
      value: budgets[period]?.amount ?? "" }),
    thresholds: h("input", { id: `budget-${period}-thresholds`, placeholder: "50, 80, 100",
      value: budgets[period]?.thresholds.join(", ") ?? "" }),
  }]));
  const budgetForm = h("form", { class: "row", id: "budgets-form", onsubmit: (event) => {
    event.preventDefault();
    const chosen = [];
    for (const period of ["day", "month"]) {
      const { amount, thresholds } = inputs[period];
      if (amount.value.trim() === "" && thresholds.value.trim() === "") continue;
      const yuan = fromInput(amount.value);
      const percents = thresholdsFromInput(thresholds.value);
      if (yuan === null || yuan === "0.00" || percents === null) {
        return notify(t("alerts.badBudget", { period: t(`alerts.${period}`) }), "error");
      }
      chosen.push({ period, amount: yuan, thresholds: percents });
    }
    return save({ budgets: chosen.length ? chosen : null });
  } }, ["day", "month"].map((period) => [
    field(t("alerts.budgetAmount", { period: t(`alerts.${period}`) }), inputs[period].amount),
    field(t("alerts.budgetThresholds"), inputs[period].thresholds),
  ]), h("button", { type: "submit" }, t("alerts.save")));

  const runway = h("input", { id: "runway-alert-days", inputmode: "numeric", placeholder: "7",
    value: account.runway_alert_days ?? "" });
  const runwayForm = h("form", { class: "row", id: "runway-alert-form", onsubmit: (event) => {
    event.preventDefault();
    if (runway.value.trim() === "") return save({ runway_alert_days: null });
    const days = /^\s*\d{1,3}\s*$/.test(runway.value) ? Number(runway.value) : 0;
    if (days < 1 || days > 365) return notify(t("alerts.badDays"), "error");
    return save({ runway_alert_days: days });
  } }, field(t("alerts.runwayAlert"), runway, t("alerts.runwayAlertHint")),
  h("button", { type: "submit" }, t("alerts.save")));

  return card(t("alerts.title"), h("p", { class: "hint" }, t("alerts.intro")), balanceForm,
    h("h3", {}, t("alerts.budgets")), h("small", { class: "hint" }, t("alerts.budgetsHint")), budgetForm,
    runwayForm);
}
