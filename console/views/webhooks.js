// The account's webhooks (API.md: Webhooks): the URLs that receive its notices as signed POSTs, each with its
// latest deliveries and a retry; a signing secret is shown once, when the webhook is made or its secret rotated.
import { accountPath } from "../api.js";
import { h, card, field, table } from "../dom.js";
import { instant } from "../format.js";
import { hasText } from "../i18n.js";

// The notice types of DESIGN.md's Notifications a webhook can be limited to.
const EVENT_TYPES = ["arrears", "suspended", "released", "restored", "pack_delivered", "pack_low",
  "pack_exhausted", "pack_expiring", "pack_expired", "refund_completed", "free_quota_granted", "balance_low",
  "budget_reached", "runway_low", "pack_renewed", "pack_renewal_failed", "webhook_disabled", "daily_report"];
const MAX_WEBHOOKS = 10; // the API's most webhooks an account (TOO_MANY_WEBHOOKS)
const DELIVERIES = 10;
// A secret the API just answered, for the next render of the card alone: it is never shown again.
let newSecret = null;

function eventTypeName(t, type) {
  return hasText(`message.type.${type}`) ? t(`message.type.${type}`) : type;
}

function webhookPath(account, webhookId = "", rest = "") {
  return accountPath(account.account_id, `/webhooks${webhookId ? `/${encodeURIComponent(webhookId)}` : ""}${rest}`);
}

export async function webhooksCard(context) {
  const { t, api, account, fail } = context;
  let webhooks;
  try {
    ({ webhooks } = await api.get(webhookPath(account)));
  } catch (error) {
    // The balance, the banner and the settings above stay on the page when the webhooks cannot be listed.
    fail(error);
    return card(t("webhooks.title"), h("p", { class: "hint", id: "webhooks-unavailable" }, t("webhooks.unavailable")));
  }
  const secret = newSecret?.account_id === account.account_id ? newSecret : null;
  newSecret = null;
  return card(t("webhooks.title"), h("p", { class: "hint" }, t("webhooks.intro")),
    secret ? secretBox(secret, context) : null,
    webhookTable(webhooks, context),
    webhooks.map((webhook) => deliveriesBlock(webhook, context)),
    addForm(context));
}

function secretBox({ webhook, rotated }, { t, notify }) {
  const value = h("code", { class: "secret", id: "webhook-secret-value" }, webhook.secret);
  const copy = h("button", { type: "button", id: "webhook-secret-copy", onclick: async () => {
    try {
      await navigator.clipboard.writeText(webhook.secret);
      notify(t("webhooks.copied"));
    } catch {
      // No clipboard here (an insecure origin, a refused permission): the secret is selected for a manual copy.
      getSelection().selectAllChildren(value);
      notify(t("webhooks.copyByHand"), "error");
    }
  } }, t("webhooks.copy"));
  return h("div", { class: "secret-box", id: "webhook-secret", role: "alert", "data-webhook-id": webhook.webhook_id },
    h("strong", {}, t(rotated ? "webhooks.secretRotated" : "webhooks.secretCreated", { url: webhook.url })),
    h("div", { class: "row" }, value, copy),
    h("p", { class: "warning" }, t("webhooks.secretOnce")),
    rotated ? h("p", { class: "hint" }, t("webhooks.bothSignatures")) : null);
}

function webhookTable(webhooks, context) {
  const { t } = context;
  return table([
    { title: t("webhooks.url"), cell: (w) => h("span", { class: "webhook-url" }, w.url) },
    // The API lists every type for a webhook registered without event_types.
    { title: t("webhooks.events"), cell: (w) => (EVENT_TYPES.every((type) => w.event_types.includes(type))
      ? t("webhooks.allEvents")
      : w.event_types.map((type) => h("span", { class: `badge ${type}` }, eventTypeName(t, type)))) },
    { title: t("webhooks.status"), cell: (w) => h("span", { class: `badge ${w.status}` },
      t(`webhook.status.${w.status}`)) },
    { title: t("webhooks.createdAt"), cell: (w) => instant(w.created_at), className: "date" },
    { title: t("app.action"), cell: (w) => h("div", { class: "actions" },
      h("button", { type: "button", class: "link show-deliveries", onclick: (event) => toggleDeliveries(w, event.target,
        context) }, t("webhooks.showDeliveries")),
      h("button", { type: "button", class: "link rotate-secret", onclick: () => rotate(w, context) },
        t("webhooks.rotate")),
      h("button", { type: "button", class: "link delete-webhook", onclick: () => remove(w, context) },
        t("webhooks.delete"))) },
  ], webhooks, {
    id: "webhook-table",
    empty: t("webhooks.none"),
    rowAttributes: (w) => ({ "data-webhook-id": w.webhook_id, "data-status": w.status }),
  });
}

function deliveriesBlock(webhook, { t }) {
  return h("div", { class: "webhook-deliveries", id: `deliveries-${webhook.webhook_id}`, hidden: true,
    "data-webhook-id": webhook.webhook_id },
  h("h3", {}, t("webhooks.deliveriesOf", { url: webhook.url, limit: DELIVERIES })),
  h("div", { class: "delivery-list" }));
}

async function toggleDeliveries(webhook, button, context) {
  const { t, fail } = context;
  const block = document.getElementById(`deliveries-${webhook.webhook_id}`);
  if (!block.hidden) {
    block.hidden = true;
    button.textContent = t("webhooks.showDeliveries");
    return;
  }
  try {
    await loadDeliveries(webhook, block, context);
    block.hidden = false;
    button.textContent = t("webhooks.hideDeliveries");
  } catch (error) {
    fail(error);
  }
}

/** The latest deliveries of `webhook` into its block, newest first, as the API lists them. */
async function loadDeliveries(webhook, block, context) {
  const { t, api, account } = context;
  const { deliveries } = await api.get(webhookPath(account, webhook.webhook_id, "/deliveries"),
    { limit: DELIVERIES });
  block.querySelector(".delivery-list").replaceChildren(table([
    { title: t("webhooks.event"), cell: (d) => [h("span", { class: `badge ${d.type}` }, eventTypeName(t, d.type)),
      h("small", { class: "sub" }, d.event_id)] },
    { title: t("webhooks.deliveryStatus"), cell: (d) => h("span", { class: `badge ${d.status}` },
      t(`delivery.status.${d.status}`)) },
    { title: t("webhooks.attempts"), cell: (d) => d.attempts, className: "number" },
    { title: t("webhooks.lastStatusCode"), cell: (d) => d.last_status_code ?? "—", className: "number" },
    { title: t("webhooks.nextAttemptAt"), cell: (d) => instant(d.next_attempt_at), className: "date" },
    { title: t("app.action"), cell: (d) => h("button", { type: "button", class: "link retry-delivery",
      onclick: (event) => retry(webhook, d, block, event.target, context) }, t("webhooks.retry")) },
  ], deliveries, {
    empty: t("webhooks.noDeliveries"),
    rowAttributes: (d) => ({ "data-delivery-id": d.delivery_id, "data-status": d.status, "data-type": d.type }),
  }));
}

async function retry(webhook, delivery, block, button, context) {
  const { t, api, notify, clearNotice, fail } = context;
  clearNotice();
  button.disabled = true;
  try {
    await api.post(webhookPath(context.account, webhook.webhook_id,
      `/deliveries/${encodeURIComponent(delivery.delivery_id)}/retry`));
    await loadDeliveries(webhook, block, context);
    notify(t("webhooks.retried"));
  } catch (error) {
    button.disabled = false;
    fail(error);
  }
}

async function rotate(webhook, { t, api, account, confirm, notify, fail, rerender }) {
  if (!await confirm(t("webhooks.rotateTitle"), [webhook.url, t("webhooks.bothSignatures")],
    t("webhooks.rotate"))) return;
  try {
    const answer = await api.post(webhookPath(account, webhook.webhook_id, "/secret"));
    newSecret = { account_id: account.account_id, webhook: answer, rotated: true };
    await rerender();
    notify(t("webhooks.rotated"));
  } catch (error) {
    fail(error);
  }
}

async function remove(webhook, { t, api, account, confirm, notify, fail, rerender }) {
  if (!await confirm(t("webhooks.deleteTitle"), [webhook.url, t("webhooks.deleteRule")],
    t("webhooks.delete"))) return;
  try {
    await api.delete(webhookPath(account, webhook.webhook_id));
    await rerender();
    notify(t("webhooks.deleted"));
  } catch (error) {
    fail(error);
  }
}

/** A refusal of the URL (400 VALIDATION_ERROR on `url`) in the console's words; anything else as the API says. */
function isBadUrl(error) {
  return error.code === "VALIDATION_ERROR" && (error.details ?? []).some((detail) => detail.field === "url");
}

function addForm({ t, api, account, notify, clearNotice, fail, rerender }) {
  const url = h("input", { id: "webhook-url", required: true, maxlength: 2048, size: 48,
    placeholder: "https://example.com/billing/webhook" });
  const types = EVENT_TYPES.map((type) => h("label", { class: "check" },
    h("input", { type: "checkbox", class: "webhook-event", value: type, id: `webhook-event-${type}` }),
    h("span", {}, eventTypeName(t, type))));
  async function onsubmit(event) {
    event.preventDefault();
    clearNotice();
    const chosen = types.map((label) => label.querySelector("input")).filter((input) => input.checked)
      .map((input) => input.value);
    const body = { url: url.value.trim() };
    if (chosen.length) body.event_types = chosen; // none ticked: every type, those added later included
    try {
      const answer = await api.post(webhookPath(account), body);
      newSecret = { account_id: account.account_id, webhook: answer, rotated: false };
      await rerender();
      notify(t("webhooks.created"));
    } catch (error) {
      if (isBadUrl(error)) notify(t("webhooks.badUrl"), "error");
      else fail(error);
    }
  }
  return h("form", { id: "webhook-form", onsubmit },
    h("h3", {}, t("webhooks.add")),
    field(t("webhooks.url"), url, t("webhooks.urlHint")),
    h("fieldset", { class: "event-types" }, h("legend", {}, t("webhooks.events")),
      h("div", { class: "checks" }, types), h("small", { class: "hint" }, t("webhooks.eventsHint"))),
    h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, t("webhooks.addSubmit")),
      h("small", { class: "hint" }, t("webhooks.limit", { max: MAX_WEBHOOKS }))));
}
