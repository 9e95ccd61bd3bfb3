// The operator's account list (with a status filter, a page at a time) and the form that opens an account.
import { h, card, field, select, table } from "../dom.js";
import { instant, money } from "../format.js";

const STATUSES = ["", "active", "arrears", "suspended", "released"];
let statusFilter = "";

export async function render(page, context) {
  const { t, api } = context;
  const rows = [];
  let cursor = null;
  const list = h("div", { id: "account-list" });
  const more = h("button", { type: "button", id: "accounts-more", hidden: true, onclick: () => load() },
    t("app.more"));

  async function load(reset = false) {
    if (reset) {
      rows.length = 0;
      cursor = null;
    }
    const answer = await api.get("/v1/accounts", { status: statusFilter, cursor, limit: 50 });
    rows.push(...answer.accounts);
    cursor = answer.next_cursor;
    more.hidden = !cursor;
    list.replaceChildren(accountTable(rows, context));
  }

  const filter = select("account-status-filter",
    STATUSES.map((status) => [status, t(status ? `status.${status}` : "filter.all")]), statusFilter,
    (event) => {
      statusFilter = event.target.value;
      load(true).catch(context.fail);
    });

  page.append(
    card(t("accounts.title"), h("div", { class: "toolbar" }, field(t("filter.status"), filter)), list, more),
    openAccountForm(context),
  );
  await load(true);
}

function accountTable(rows, { t, selectAccount }) {
  return table([
    { title: t("accounts.id"), cell: (a) => a.account_id },
    { title: t("accounts.status"), cell: (a) => h("span", { class: `badge ${a.status}` }, t(`status.${a.status}`)) },
    { title: t("account.balance"), cell: (a) => money(a.balance), className: "number" },
    { title: t("account.cycle"), cell: (a) => t(`cycle.${a.settlement_cycle}`) },
    { title: t("account.activatedAt"), cell: (a) => instant(a.activated_at) },
    { title: t("app.action"), cell: (a) => h("button", { type: "button", class: "link",
      onclick: () => selectAccount(a.account_id) }, t("accounts.open")) },
  ], rows, { empty: t("accounts.none"), rowAttributes: (a) => ({ "data-account-id": a.account_id }) });
}

function openAccountForm({ t, api, notify, fail, rerender }) {
  const accountId = h("input", { id: "new-account-id", required: true, pattern: "[A-Za-z0-9_.\\-]{1,64}" });
  const email = h("input", { id: "new-account-email", type: "email" });
  const phone = h("input", { id: "new-account-phone", placeholder: "+8613800000000" });
  async function onsubmit(event) {
    event.preventDefault();
    const contacts = {};
    if (email.value.trim()) contacts.email = email.value.trim();
    if (phone.value.trim()) contacts.phone = phone.value.trim();
    try {
      const account = await api.post("/v1/accounts", { account_id: accountId.value.trim(), contacts });
      await rerender();
      notify(t("accounts.opened", { id: account.account_id }));
    } catch (error) {
      fail(error);
    }
  }
  return h("form", { class: "card", id: "open-account-form", onsubmit },
    h("h2", {}, t("accounts.openTitle")),
    h("div", { class: "row" }, field(t("accounts.id"), accountId), field(t("account.email"), email),
      field(t("account.phone"), phone)),
    h("button", { type: "submit", class: "primary" }, t("accounts.openSubmit")));
}
