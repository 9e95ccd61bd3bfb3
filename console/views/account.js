// The account: balance, runway and wallets, status, the postpaid switch, contacts, locale, the daily report, the
// alerts and the webhooks; for an operator also a recharge and a new account key.
import { accountPath, clientId } from "../api.js";
import { h, card, field, select } from "../dom.js";
import { instant, money } from "../format.js";
import { fromInput } from "../money.js";
import { accountSaver, alertsCard, runwayFigure } from "./alerts.js";
import { webhooksCard } from "./webhooks.js";

export async function render(page, context) {
  const { t, account, session } = context;
  page.append(summary(t, account), settings(context), alertsCard(context), await webhooksCard(context));
  if (session.operator) page.append(operatorTools(context));
}

function summary(t, account) {
  const facts = [
    [t("account.status"), h("span", { class: `badge ${account.status}`, id: "account-status" },
      t(`status.${account.status}`))],
    [t("account.cycle"), t(`cycle.${account.settlement_cycle}`)],
    [t("account.activatedAt"), instant(account.activated_at)],
  ];
  if (account.arrears_since) facts.push([t("account.arrearsSince"), instant(account.arrears_since)]);
  if (account.suspend_at) facts.push([t("account.suspendAt"), instant(account.suspend_at)]);
  if (account.release_at) facts.push([t("account.releaseAt"), instant(account.release_at)]);
  return card(t("account.title", { id: account.account_id }),
    h("div", { class: "figures" },
      h("div", { class: "figure main" }, h("span", { class: "label" }, t("account.balance")),
        h("strong", { id: "account-balance" }, money(account.balance))),
      runwayFigure(t, account),
      ["cash", "income", "gift"].map((wallet) => h("div", { class: "figure" },
        h("span", { class: "label" }, t(`wallet.${wallet}`)),
        h("strong", { id: `wallet-${wallet}` }, money(account.wallets[wallet]))))),
    h("dl", { class: "facts" }, facts.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])));
}

function settings(context) {
  const { t, account } = context;
  const save = accountSaver(context);
  const postpaid = h("input", { type: "checkbox", id: "postpaid-switch", checked: account.postpaid_enabled,
    onchange: (event) => save({ postpaid_enabled: event.target.checked }) });
  const dailyReport = h("input", { type: "checkbox", id: "daily-report-switch", checked: account.daily_report,
    onchange: (event) => save({ daily_report: event.target.checked }) });
  const locale = select("locale-select", [["zh-CN", "中文"], ["en", "English"]], account.locale,
    (event) => save({ locale: event.target.value }));
  const email = h("input", { type: "email", id: "contact-email", value: account.contacts.email ?? "" });
  const phone = h("input", { id: "contact-phone", value: account.contacts.phone ?? "",
    placeholder: "+8613800000000" });
  const contacts = h("form", { class: "row", id: "contacts-form", onsubmit: (event) => {
    event.preventDefault();
    // An emptied field removes that contact (null), as PATCH takes it.
    save({ contacts: { email: email.value.trim() || null, phone: phone.value.trim() || null } });
  } }, field(t("account.email"), email), field(t("account.phone"), phone),
  h("button", { type: "submit" }, t("account.saveContacts")));

  return card(t("account.settings"),
    h("label", { class: "switch" }, postpaid, h("span", {}, t("account.postpaid")),
      h("small", { class: "hint" }, t("account.postpaidHint"))),
    h("label", { class: "switch" }, dailyReport, h("span", {}, t("account.dailyReport")),
      h("small", { class: "hint" }, t("account.dailyReportHint"))),
    field(t("account.locale"), locale, t("account.localeHint")),
    contacts);
}

function operatorTools({ t, api, account, notify, fail, rerender, confirm }) {
  const amount = h("input", { id: "recharge-amount", inputmode: "decimal", placeholder: "1000.00", required: true });
  const wallet = select("recharge-wallet", ["cash", "income", "gift"].map((w) => [w, t(`wallet.${w}`)]), "cash");
  const recharge = h("form", { class: "row", id: "recharge-form", onsubmit: async (event) => {
    event.preventDefault();
    const yuan = fromInput(amount.value);
    if (!yuan || yuan === "0.00") {
      notify(t("account.badAmount"), "error");
      return;
    }
    if (!await confirm(t("account.recharge"), [t("account.rechargeConfirm",
      { amount: money(yuan), wallet: t(`wallet.${wallet.value}`), id: account.account_id })], t("app.ok"))) return;
    try {
      await api.post(accountPath(account.account_id, "/recharges"),
        { recharge_id: clientId("console-recharge"), amount: yuan, wallet: wallet.value });
      await rerender();
      notify(t("account.recharged", { amount: money(yuan) }));
    } catch (error) {
      fail(error);
    }
  } }, field(t("account.amount"), amount), field(t("account.wallet"), wallet),
  h("button", { type: "submit", class: "primary" }, t("account.recharge")));

  const shownKey = h("code", { id: "new-key" });
  const newKey = h("button", { type: "button", id: "create-key", onclick: async () => {
    try {
      const { api_key: key } = await api.post(accountPath(account.account_id, "/keys"));
      shownKey.textContent = key;
      notify(t("account.keyCreated"));
    } catch (error) {
      fail(error);
    }
  } }, t("account.createKey"));

  return card(t("account.operatorTools"), recharge,
    h("div", { class: "row" }, newKey, shownKey), h("small", { class: "hint" }, t("account.keyHint")));
}
