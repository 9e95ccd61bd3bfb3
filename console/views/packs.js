// 资源包列表: the seed's table (type, origin, total, remaining, used with %, acquired, expires, action) with a
// status filter, refund where the API says `refundable`, an auto-renew switch (自动续费) on each live bought
// pack, and a purchase form with the catalog's tiers.
import { accountPath, clientId } from "../api.js";
import { h, card, field, select, table } from "../dom.js";
import { packTags, tag, tagName } from "../catalog.js";
import { count, instant, money, percent } from "../format.js";
import { times } from "../money.js";

const STATUSES = ["", "active", "exhausted", "expired", "refunded"];
const RENEWABLE_STATUSES = ["active", "exhausted"]; // the API refuses the switch on ended packs (PACK_ENDED)
const MAX_QUANTITY = 95; // the API's most packs in one purchase
let statusFilter = "";

export async function render(page, context) {
  const { t, api, account } = context;
  const { packs } = await api.get(accountPath(account.account_id, "/packs"), { status: statusFilter });
  const filter = select("pack-status-filter",
    STATUSES.map((status) => [status, t(status ? `pack.status.${status}` : "filter.all")]), statusFilter,
    (event) => {
      statusFilter = event.target.value;
      context.rerender();
    });
  page.append(
    card(t("packs.title"), h("div", { class: "toolbar" }, field(t("filter.status"), filter)),
      packTable(packs, context)),
    purchaseForm(context),
  );
}

function packTable(packs, context) {
  const { t } = context;
  return table([
    { title: t("packs.type"), cell: (p) => [h("span", {}, tagName(p.billing_tag)),
      h("small", { class: "sub" }, t("packs.sizeLabel", { size: count(p.size) }))] },
    { title: t("packs.origin"), cell: (p) => t(`pack.origin.${p.origin}`) },
    { title: t("packs.total"), cell: (p) => count(p.size), className: "number" },
    { title: t("packs.remaining"), cell: (p) => count(p.remaining), className: "number" },
    { title: t("packs.used"), cell: (p) => `${count(p.used)} (${percent(p.used_percent)})`, className: "number" },
    { title: t("packs.acquired"), cell: (p) => instant(p.acquired_at) },
    { title: t("packs.expires"), cell: (p) => instant(p.expires_at) },
    { title: t("packs.status"), cell: (p) => h("span", { class: `badge ${p.status}` }, t(`pack.status.${p.status}`)) },
    { title: t("packs.autoRenew"), cell: (p) => autoRenewSwitch(p, context) },
    { title: t("app.action"), cell: (p) => (p.refundable
      ? h("button", { type: "button", class: "link refund", onclick: () => refund(p, context) }, t("packs.refund"))
      : "—") },
  ], packs, {
    id: "pack-table",
    empty: t("packs.none"),
    rowAttributes: (p) => ({ "data-pack-id": p.pack_id, "data-origin": p.origin, "data-status": p.status,
      "data-tag": p.billing_tag, "data-auto-renew": String(p.auto_renew) }),
  });
}

function autoRenewSwitch(pack, context) {
  if (pack.origin !== "purchase" || !RENEWABLE_STATUSES.includes(pack.status)) return "—";
  const { t } = context;
  return h("label", { class: "auto-renew-switch", title: t("packs.autoRenewHint") },
    h("input", { type: "checkbox", class: "auto-renew", checked: pack.auto_renew,
      "aria-label": t("packs.autoRenew"), onchange: (event) => setAutoRenew(pack, event.target, context) }));
}

async function setAutoRenew(pack, input, { t, api, account, notify, fail, rerender }) {
  input.disabled = true;
  try {
    const answer = await api.patch(accountPath(account.account_id, `/packs/${pack.pack_id}`),
      { auto_renew: input.checked });
    await rerender();
    notify(t(answer.auto_renew ? "packs.autoRenewOn" : "packs.autoRenewOff"));
  } catch (error) {
    input.checked = pack.auto_renew;
    input.disabled = false;
    fail(error);
  }
}

async function refund(pack, { t, api, account, confirm, notify, fail, rerender }) {
  const ok = await confirm(t("packs.refundTitle"), [
    t("packs.refundPack", { name: tagName(pack.billing_tag), size: count(pack.size) }),
    t("packs.refundRule"),
  ], t("packs.refundConfirm"));
  if (!ok) return;
  try {
    const { refund: done } = await api.post(accountPath(account.account_id, `/packs/${pack.pack_id}/refund`),
      { refund_id: clientId("console-refund") });
    await rerender();
    notify(t("packs.refunded", { amount: money(done.amount) }));
  } catch (error) {
    fail(error);
  }
}

function purchaseForm(context) {
  const { t } = context;
  const tags = packTags();
  const tagSelect = select("buy-tag", tags.map((option) => [option.id, tagName(option.id)]), tags[0]?.id,
    () => showTiers());
  const sizeSelect = h("select", { id: "buy-size", onchange: () => showTotal() });
  const quantity = h("input", { type: "number", id: "buy-quantity", min: 1, max: MAX_QUANTITY, value: 1,
    required: true, oninput: () => showTotal() });
  const unitPrice = h("span", { id: "buy-unit-price" });
  const total = h("strong", { id: "buy-total" });

  const chosenTier = () => tag(tagSelect.value).packs.find((tier) => String(tier.size) === sizeSelect.value);
  const chosenQuantity = () => Math.min(MAX_QUANTITY, Math.max(1, Number.parseInt(quantity.value, 10) || 1));

  function showTiers() {
    sizeSelect.replaceChildren(...tag(tagSelect.value).packs.map((tier) => h("option", { value: tier.size },
      t("packs.tier", { size: count(tier.size), price: money(tier.price) }))));
    unitPrice.textContent = t("packs.unitPrice", { price: tag(tagSelect.value).unit_price });
    showTotal();
  }

  function showTotal() {
    total.textContent = money(times(chosenTier().price, chosenQuantity()));
  }

  async function onsubmit(event) {
    event.preventDefault();
    const tier = chosenTier();
    const packs = chosenQuantity();
    const price = money(times(tier.price, packs));
    const ok = await context.confirm(t("packs.buyTitle"), [
      t("packs.buyWhat", { name: tagName(tagSelect.value), size: count(tier.size), quantity: packs }),
      t("packs.buyPrice", { price }),
    ], t("packs.buyConfirm"));
    if (!ok) return;
    try {
      const answer = await context.api.post(accountPath(context.account.account_id, "/packs"), {
        purchase_id: clientId("console-purchase"), billing_tag: tagSelect.value, size: tier.size, quantity: packs,
      });
      await context.rerender();
      context.notify(t("packs.bought", { quantity: answer.packs.length, price }));
    } catch (error) {
      context.fail(error);
    }
  }

  showTiers();
  return h("form", { class: "card", id: "buy-form", onsubmit },
    h("h2", {}, t("packs.buyHeading")),
    h("div", { class: "row" }, field(t("packs.tag"), tagSelect), field(t("packs.size"), sizeSelect),
      field(t("packs.quantity"), quantity)),
    h("p", {}, unitPrice, " · ", t("packs.totalLabel"), " ", total),
    h("p", { class: "hint" }, t("packs.buyHint")),
    h("button", { type: "submit", class: "primary", id: "buy-submit" }, t("packs.buy")));
}
