// Usage: calls and billable calls per day and per tag over the last 30 days (a Chart.js chart of
// GET .../usage/daily), today's live estimate (GET .../usage), and a quote for a forecast volume (GET /v1/quote).
import { accountPath } from "../api.js";
import { allTags, tagName } from "../catalog.js";
import { h, card, field, select, table } from "../dom.js";
import { count, money } from "../format.js";
import { minus, sum } from "../money.js";

// One colour per tag, far enough apart to tell a dozen tags apart.
const COLOURS = ["#006eff", "#29cc85", "#ff9c19", "#e54545", "#8e5cf7", "#00b8d4", "#b5a400", "#f06292",
  "#5c6bc0", "#8d6e63", "#26a69a", "#78909c"];
let metric = "billable_calls";
let chart = null;

export async function render(page, context) {
  const { t, api, account } = context;
  const [series, today] = await Promise.all([
    api.get(accountPath(account.account_id, "/usage/daily")),
    api.get(accountPath(account.account_id, "/usage")),
  ]);
  const canvas = h("canvas", { id: "usage-chart", role: "img", "aria-label": t("usage.chartTitle") });
  const metricSelect = select("usage-metric",
    [["billable_calls", t("usage.billableCalls")], ["calls", t("usage.calls")]], metric, (event) => {
      metric = event.target.value;
      drawChart(canvas, series.days);
    });
  page.append(
    card(t("usage.chartTitle"), h("div", { class: "toolbar" }, field(t("usage.metric"), metricSelect)),
      h("div", { class: "chart" }, canvas), rangeTotals(t, series.days)),
    todayEstimate(t, today),
    quoteCalculator(context),
  );
  drawChart(canvas, series.days);
}

function tagsIn(days) {
  return [...new Set(days.flatMap((day) => day.tags.map((entry) => entry.billing_tag)))].sort();
}

function drawChart(canvas, days) {
  chart?.destroy();
  const datasets = tagsIn(days).map((id, index) => ({
    label: tagName(id),
    data: days.map((day) => day.tags.find((entry) => entry.billing_tag === id)?.[metric] ?? 0),
    backgroundColor: COLOURS[index % COLOURS.length],
    stack: "tags",
  }));
  chart = new window.Chart(canvas, {
    type: "bar",
    data: { labels: days.map((day) => day.date.slice(5)), datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { position: "bottom" } },
    },
  });
}

function rangeTotals(t, days) {
  const rows = tagsIn(days).map((id) => {
    const entries = days.flatMap((day) => day.tags.filter((entry) => entry.billing_tag === id));
    return { id, calls: entries.reduce((n, e) => n + e.calls, 0),
      billable: entries.reduce((n, e) => n + e.billable_calls, 0) };
  });
  return table([
    { title: t("usage.tag"), cell: (row) => tagName(row.id) },
    { title: t("usage.calls"), cell: (row) => count(row.calls), className: "number" },
    { title: t("usage.billableCalls"), cell: (row) => count(row.billable), className: "number" },
  ], rows, { id: "usage-totals", empty: t("usage.noCalls", { from: days[0].date, to: days.at(-1).date }) });
}

function todayEstimate(t, today) {
  const estimate = today.tags.length ? sum(today.tags.map((tag) => tag.estimated_postpaid_amount)) : "0.00";
  return card(t("usage.todayTitle", { date: today.date }),
    h("p", { class: "hint" }, t(today.settled ? "usage.settled" : "usage.live")),
    table([
      { title: t("usage.tag"), cell: (tag) => tagName(tag.billing_tag) },
      { title: t("usage.calls"), cell: (tag) => count(tag.calls), className: "number" },
      { title: t("usage.billableCalls"), cell: (tag) => count(tag.billable_calls), className: "number" },
      { title: t("usage.unclassified"), cell: (tag) => count(tag.unclassified_calls), className: "number" },
      { title: t("usage.packCalls"), cell: (tag) => count(tag.estimated_pack_calls), className: "number" },
      { title: t("usage.postpaidAmount"), cell: (tag) => money(tag.estimated_postpaid_amount),
        className: "number" },
    ], today.tags, { id: "usage-today", empty: t("usage.noCallsToday") }),
    h("p", {}, t("usage.estimateTotal"), " ", h("strong", { id: "usage-estimate-total" }, money(estimate))));
}

function quoteCalculator({ t, api, fail }) {
  const tags = allTags();
  const tagSelect = select("quote-tag", tags.map((tag) => [tag.id, tagName(tag.id)]), tags[0]?.id);
  const calls = h("input", { type: "number", id: "quote-calls", min: 0, step: 1, value: 10000, required: true });
  const result = h("div", { id: "quote-result" });
  async function onsubmit(event) {
    event.preventDefault();
    try {
      const quote = await api.get("/v1/quote", { billing_tag: tagSelect.value, calls: calls.value });
      result.replaceChildren(quoteTable(t, quote));
    } catch (error) {
      fail(error);
    }
  }
  return h("form", { class: "card", id: "quote-form", onsubmit },
    h("h2", {}, t("quote.title")),
    h("p", { class: "hint" }, t("quote.intro")),
    h("div", { class: "row" }, field(t("usage.tag"), tagSelect), field(t("quote.calls"), calls),
      h("button", { type: "submit", class: "primary", id: "quote-submit" }, t("quote.submit"))),
    result);
}

function quoteTable(t, quote) {
  const lines = [
    ...quote.packs.map((pack) => [t("quote.packs", { size: count(pack.size), quantity: pack.quantity }),
      money(pack.price)]),
    [t("quote.postpaid", { calls: count(quote.postpaid_calls) }), money(quote.postpaid_amount)],
  ];
  return h("div", {},
    table([
      { title: t("quote.item"), cell: (line) => line[0] },
      { title: t("quote.amount"), cell: (line) => line[1], className: "number" },
    ], lines, { empty: "" }),
    h("p", {}, t("quote.total"), " ", h("strong", { id: "quote-total" }, money(quote.total)), " · ",
      t("quote.postpaidOnly"), " ", money(quote.postpaid_only_total), " · ",
      t("quote.saving"), " ", h("strong", { id: "quote-saving" }, money(minus(quote.postpaid_only_total, quote.total)))));
}
