// The vendor's revenue (GET /v1/reports/revenue, operator): for a range of billing dates and optionally one tag,
// a chart per day of recognized pack revenue, postpaid revenue and breakage (summed over the tags), the report's
// rows with its totals line, and the same rows as CSV.
import { allTags, tagName } from "../catalog.js";
import { datesBetween } from "../dates.js";
import { h, card, field, select, table } from "../dom.js";
import { money } from "../format.js";
import { sum } from "../money.js";

const PATH = "/v1/reports/revenue";
const FIGURES = ["postpaid_revenue", "pack_sales", "voucher_discounts", "recognized_pack_revenue", "breakage",
  "refunds", "deferred_opening", "deferred_closing"];
const SERIES = [["recognized_pack_revenue", "#006eff"], ["postpaid_revenue", "#29cc85"], ["breakage", "#ff9c19"]];
// What the operator chose, kept while they move between views. A date not chosen is the API's: `to` today on its
// clock and `from` 29 days before `to`, the last 30 billing dates.
const chosen = { from: "", to: "", billingTag: "" };
let chart = null;

export async function render(page, context) {
  const { t, api, notify } = context;
  const from = dateInput("revenue-from", "from", context.rerender);
  const to = dateInput("revenue-to", "to", context.rerender);
  const query = { from: chosen.from, to: chosen.to, billing_tag: chosen.billingTag };
  const download = downloadButton(context);
  page.append(card(t("revenue.title"), toolbar(context, from, to, download),
    h("p", { class: "hint" }, t("revenue.intro"))));
  if (chosen.from && chosen.to && chosen.from > chosen.to) {
    notify(t("revenue.badRange"), "error");
    return;
  }
  const report = await api.get(PATH, query);
  from.value = report.from;
  to.value = report.to;
  Object.assign(download.dataset, { from: report.from, to: report.to });
  download.disabled = false;
  const canvas = h("canvas", { id: "revenue-chart", role: "img", "aria-label": t("revenue.chartTitle") });
  page.append(
    card(t("revenue.chartTitle"), h("div", { class: "chart" }, canvas),
      h("small", { class: "hint" }, t("revenue.chartHint"))),
    card(t("revenue.rowsTitle"), h("div", { class: "table-scroll" }, rowTable(t, report)),
      h("small", { class: "hint" }, t("revenue.identity"))),
  );
  drawChart(t, canvas, report);
}

function dateInput(id, key, rerender) {
  return h("input", { type: "date", id, value: chosen[key], required: true, onchange: (event) => {
    chosen[key] = event.target.value;
    rerender();
  } });
}

/** The CSV of the range the report answered (its dataset names it, once there is one), so the file holds the rows
 * on the page. */
function downloadButton({ t, api, notify, fail }) {
  const button = h("button", { type: "button", id: "revenue-download", disabled: true, onclick: async () => {
    const { from, to } = button.dataset;
    try {
      const name = await api.download(PATH, { from, to, billing_tag: chosen.billingTag, format: "csv" },
        `revenue-${from}-${to}.csv`);
      notify(t("revenue.downloaded", { name }));
    } catch (error) {
      fail(error);
    }
  } }, t("revenue.download"));
  return button;
}

function toolbar({ t, rerender }, from, to, download) {
  const tagFilter = select("revenue-tag", [["", t("filter.all")], ...allTags().map((tag) => [tag.id, tagName(tag.id)])],
    chosen.billingTag, (event) => {
      chosen.billingTag = event.target.value;
      rerender();
    });
  return h("div", { class: "toolbar" }, field(t("revenue.from"), from), field(t("revenue.to"), to),
    field(t("revenue.tag"), tagFilter), download);
}

/** Each day's figure as a money string, summed over its tags on whole fen (a day with no row is "0.00"). */
function dailySums(report, figure) {
  return datesBetween(report.from, report.to).map((date) => sum(report.rows.filter((row) => row.date === date)
    .map((row) => row[figure])));
}

function drawChart(t, canvas, report) {
  chart?.destroy();
  const dates = datesBetween(report.from, report.to);
  const sameYear = report.from.slice(0, 4) === report.to.slice(0, 4);
  const datasets = SERIES.map(([figure, colour]) => {
    const amounts = dailySums(report, figure);
    // Only the chart's bar heights go through Number: every amount shown as text is the exact string.
    return { label: t(`revenue.${figure}`), figure, amounts, data: amounts.map(Number), backgroundColor: colour };
  });
  chart = new window.Chart(canvas, {
    type: "bar",
    data: { labels: dates.map((date) => (sameYear ? date.slice(5) : date)), datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: { y: { ticks: { callback: (value) => (value < 0 ? `-¥${-value}` : `¥${value}`) } } },
      plugins: {
        legend: { position: "bottom" },
        tooltip: { callbacks: {
          label: (item) => `${item.dataset.label}: ${money(item.dataset.amounts[item.dataIndex])}`,
        } },
      },
    },
  });
}

function rowTable(t, report) {
  const columns = [
    { title: t("revenue.date"), cell: (row) => row.date, className: "date", foot: () => t("revenue.totals") },
    { title: t("revenue.tag"), cell: (row) => tagName(row.billing_tag) },
    ...FIGURES.map((figure) => ({ title: t(`revenue.${figure}`), className: "number",
      cell: (row) => money(row[figure]), foot: (totals) => money(totals[figure]) })),
  ];
  return table(columns, report.rows, { id: "revenue-table", foot: report.rows.length ? report.totals : null,
    empty: t("revenue.none", { from: report.from, to: report.to }),
    rowAttributes: (row) => ({ "data-date": row.date, "data-tag": row.billing_tag }) });
}
