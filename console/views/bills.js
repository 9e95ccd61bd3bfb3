// Bills, as 费用中心 shows them: the daily or monthly bills with their lines, the 资源 ID 账单 (per pack and per
// tag's postpaid use) and the 明细账单 (every charge and money movement) of a month, with filters and CSV download.
import { accountPath } from "../api.js";
import { allTags, tagName } from "../catalog.js";
import { h, card, field, select, table } from "../dom.js";
import { count, instant, money } from "../format.js";

const TABS = ["list", "resources", "details"];
const TRANSACTION_TYPES = ["postpaid_usage", "pack_deduction", "pack_purchase", "refund", "recharge"];
// What the user chose, kept while they move between views. The month is the API's (this month on its clock)
// until the user picks one.
const chosen = { tab: "list", from: "", to: "", month: "", mode: "", resource: "",
  transactionType: "", billingTag: "" };

export async function render(page, context) {
  const { t } = context;
  const tabs = h("div", { class: "tabs", role: "tablist" }, TABS.map((tab) => h("button", {
    type: "button", role: "tab", id: `bills-tab-${tab}`, class: tab === chosen.tab ? "active" : "",
    onclick: () => {
      chosen.tab = tab;
      context.rerender();
    },
  }, t(`bills.tab.${tab}`))));
  const body = chosen.tab === "list" ? await billList(context)
    : chosen.tab === "resources" ? await resourceBill(context) : await detailBill(context);
  page.append(card(t("bills.title"), tabs, body));
}

function dateInput(id, key, onchange) {
  return h("input", { type: "date", id, value: chosen[key], onchange: (event) => {
    chosen[key] = event.target.value;
    onchange();
  } });
}

async function billList(context) {
  const { t, api, account, rerender } = context;
  const { bills } = await api.get(accountPath(account.account_id, "/bills"), { from: chosen.from, to: chosen.to });
  const filters = h("div", { class: "toolbar" }, field(t("bills.from"), dateInput("bills-from", "from", rerender)),
    field(t("bills.to"), dateInput("bills-to", "to", rerender)), h("small", { class: "hint" }, t("bills.rangeHint")));
  const rows = [...bills].reverse();
  const list = table([
    { title: t("bills.period"), cell: (b) => (b.period_start === b.period_end ? b.period_start
      : `${b.period_start} ~ ${b.period_end}`) },
    { title: t("bills.cycle"), cell: (b) => t(`cycle.${b.cycle}`) },
    { title: t("bills.settledAt"), cell: (b) => instant(b.settled_at) },
    { title: t("bills.lines"), cell: (b) => count(b.lines.length), className: "number" },
    { title: t("bills.total"), cell: (b) => money(b.total_amount), className: "number" },
    { title: t("app.action"), cell: (b) => h("button", { type: "button", class: "link", onclick: (event) => {
      const lines = document.getElementById(`lines-${b.bill_id}`);
      lines.hidden = !lines.hidden;
      event.target.textContent = t(lines.hidden ? "bills.showLines" : "bills.hideLines");
    } }, t("bills.showLines")) },
  ], rows, { id: "bill-table", empty: t("bills.none"), rowAttributes: (b) => ({ "data-bill-id": b.bill_id }) });
  const details = rows.map((bill) => h("div", { id: `lines-${bill.bill_id}`, class: "bill-lines", hidden: true },
    h("h3", {}, t("bills.linesOf", { id: bill.bill_id })), lineTable(t, bill.lines)));
  return h("div", {}, filters, list, details);
}

function lineTable(t, lines) {
  return table([
    { title: t("bills.usageDate"), cell: (l) => [l.usage_date, l.late ? h("span", { class: "badge late" },
      t("bills.late")) : null] },
    { title: t("bills.tag"), cell: (l) => tagName(l.billing_tag) },
    { title: t("bills.billableCalls"), cell: (l) => count(l.billable_calls), className: "number" },
    { title: t("bills.packDeductions"), cell: (l) => l.pack_deductions.map((d) => h("div", {},
      `${d.pack_id}: ${count(d.calls)}`)) },
    { title: t("bills.postpaidCalls"), cell: (l) => count(l.postpaid_calls), className: "number" },
    { title: t("bills.unitPrice"), cell: (l) => `¥${l.unit_price}`, className: "number" },
    { title: t("bills.amount"), cell: (l) => money(l.amount), className: "number" },
  ], lines, { empty: "" });
}

function monthInput(rerender) {
  return h("input", { type: "month", id: "bills-month", value: chosen.month, required: true,
    onchange: (event) => {
      chosen.month = event.target.value;
      rerender();
    } });
}

function downloadButton({ t, api, notify, fail }, path, query, fallbackName) {
  return h("button", { type: "button", id: "bills-download", onclick: async () => {
    try {
      const name = await api.download(path, { ...query, format: "csv" }, fallbackName);
      notify(t("bills.downloaded", { name }));
    } catch (error) {
      fail(error);
    }
  } }, t("bills.download"));
}

async function resourceBill(context) {
  const { t, api, account, rerender } = context;
  const path = accountPath(account.account_id, "/bills/resources");
  const answer = await api.get(path, { month: chosen.month });
  chosen.month = answer.month;
  // The API answers the whole month; billing mode and resource id narrow what is shown (the CSV is the month).
  const rows = answer.rows.filter((row) => (!chosen.mode || row.billing_mode === chosen.mode)
    && (!chosen.resource || row.resource_id.includes(chosen.resource)));
  const mode = select("bills-mode", [["", t("filter.all")], ["prepaid", t("bills.mode.prepaid")],
    ["postpaid", t("bills.mode.postpaid")]], chosen.mode, (event) => {
    chosen.mode = event.target.value;
    rerender();
  });
  const resource = h("input", { type: "search", id: "bills-resource", value: chosen.resource,
    placeholder: t("bills.resourceSearch"), onchange: (event) => {
      chosen.resource = event.target.value.trim();
      rerender();
    } });
  return h("div", {},
    h("div", { class: "toolbar" }, field(t("bills.month"), monthInput(rerender)), field(t("bills.billingMode"), mode),
      field(t("bills.resourceId"), resource),
      downloadButton(context, path, { month: answer.month }, `resources-${answer.month}.csv`)),
    table([
      { title: t("bills.resourceId"), cell: (r) => r.resource_id },
      { title: t("bills.tag"), cell: (r) => tagName(r.billing_tag) },
      { title: t("bills.billingMode"), cell: (r) => t(`bills.mode.${r.billing_mode}`) },
      { title: t("bills.calls"), cell: (r) => count(r.calls), className: "number" },
      { title: t("bills.amount"), cell: (r) => money(r.amount), className: "number" },
    ], rows, { id: "resource-table", empty: t("bills.noRows", { month: answer.month }) }));
}

async function detailBill(context) {
  const { t, api, account, rerender } = context;
  const path = accountPath(account.account_id, "/bills/details");
  const query = { month: chosen.month, transaction_type: chosen.transactionType, billing_tag: chosen.billingTag };
  const answer = await api.get(path, query);
  chosen.month = answer.month;
  const type = select("bills-transaction-type", [["", t("filter.all")],
    ...TRANSACTION_TYPES.map((name) => [name, t(`bills.type.${name}`)])], chosen.transactionType, (event) => {
    chosen.transactionType = event.target.value;
    rerender();
  });
  const tagFilter = select("bills-tag", [["", t("filter.all")], ...allTags().map((tag) => [tag.id, tagName(tag.id)])],
    chosen.billingTag, (event) => {
      chosen.billingTag = event.target.value;
      rerender();
    });
  return h("div", {},
    h("div", { class: "toolbar" }, field(t("bills.month"), monthInput(rerender)),
      field(t("bills.transactionType"), type), field(t("bills.tag"), tagFilter),
      downloadButton(context, path, { ...query, month: answer.month }, `details-${answer.month}.csv`)),
    table([
      { title: t("bills.at"), cell: (r) => instant(r.at) },
      { title: t("bills.transactionType"), cell: (r) => t(`bills.type.${r.transaction_type}`) },
      { title: t("bills.resourceId"), cell: (r) => r.resource_id ?? "—" },
      { title: t("bills.tag"), cell: (r) => (r.billing_tag ? tagName(r.billing_tag) : "—") },
      { title: t("bills.unitPrice"), cell: (r) => (r.unit_price ? `¥${r.unit_price}` : "—"), className: "number" },
      { title: t("bills.usageDate"), cell: (r) => r.usage_date ?? "—", className: "date" },
      { title: t("bills.calls"), cell: (r) => (r.calls === null ? "—" : count(r.calls)), className: "number" },
      { title: t("bills.amount"), cell: (r) => money(r.amount), className: "number" },
      { title: t("bills.voucherAmount"), cell: (r) => money(r.voucher_amount), className: "number" },
    ], answer.rows, { id: "detail-table", empty: t("bills.noRows", { month: answer.month }),
      rowAttributes: (r) => ({ "data-type": r.transaction_type }) }));
}
