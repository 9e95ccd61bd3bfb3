// The console's shell: sign-in, navigation between views (#/packs, ...), the status banner and notices.
import { ApiError, accountPath, createApi } from "./api.js";
import { loadCatalog } from "./catalog.js";
import { h } from "./dom.js";
import { money, instant } from "./format.js";
import { currentLanguage, errorText, setLanguage, t } from "./i18n.js";
import { isNegative, negate } from "./money.js";
import { clearSession, currentSession, saveSession } from "./session.js";
import * as accountView from "./views/account.js";
import * as accountsView from "./views/accounts.js";
import * as billsView from "./views/bills.js";
import * as messagesView from "./views/messages.js";
import * as packsView from "./views/packs.js";
import * as reconciliationView from "./views/reconciliation.js";
import * as revenueView from "./views/revenue.js";
import * as signInView from "./views/signin.js";
import * as usageView from "./views/usage.js";

// Views an operator key opens (the account list and the vendor's books), and views of the account shown.
const OPERATOR_VIEWS = { accounts: accountsView, revenue: revenueView, reconciliation: reconciliationView };
const ACCOUNT_VIEWS = { account: accountView, packs: packsView, usage: usageView, bills: billsView,
  messages: messagesView };

const byId = (id) => document.getElementById(id);
let renderCount = 0;

function viewName(session) {
  const asked = location.hash.replace(/^#\/?/, "");
  if (Object.hasOwn(OPERATOR_VIEWS, asked) && session.operator) return asked;
  if (Object.hasOwn(ACCOUNT_VIEWS, asked) && session.accountId) return asked;
  return session.accountId ? "account" : "accounts";
}

function navigate(name) {
  if (location.hash === `#/${name}`) render();
  else location.hash = `#/${name}`;
}

function notify(text, kind = "ok") {
  const notice = byId("notice");
  notice.hidden = false;
  notice.className = kind;
  notice.textContent = text;
}

function clearNotice() {
  byId("notice").hidden = true;
}

/** Shows a failure: an expired key signs out, anything else is a notice in the current language. */
function fail(error) {
  if (error instanceof ApiError && error.status === 401) {
    clearSession();
    render().then(() => notify(t("signin.expired"), "error"));
    return;
  }
  notify(error instanceof ApiError ? errorText(error) : t("app.unexpected", { message: error.message }), "error");
}

/** Asks before an action that moves money; resolves true on OK. */
function confirm(title, lines, okText) {
  clearNotice();
  const dialog = byId("confirm");
  byId("confirm-title").textContent = title;
  byId("confirm-body").replaceChildren(...lines.map((line) => h("p", {}, line)));
  byId("confirm-ok").textContent = okText;
  byId("confirm-cancel").textContent = t("app.cancel");
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"),
    { once: true }));
}

function banner(account) {
  const element = byId("banner");
  const text = bannerText(account);
  element.hidden = !text;
  element.textContent = text ?? "";
  element.className = account.status;
}

function bannerText(account) {
  const owed = isNegative(account.balance) ? money(negate(account.balance)) : money("0.00");
  if (account.status === "arrears") {
    return t("banner.arrears", { owed, suspendAt: instant(account.suspend_at) });
  }
  if (account.status === "suspended" && account.suspension_reason === "violation") return t("banner.violation");
  if (account.status === "suspended") {
    return t("banner.suspended", { owed, releaseAt: instant(account.release_at) });
  }
  if (account.status === "released") return t("banner.released");
  return null;
}

function renderHeader(session) {
  for (const element of document.querySelectorAll("[data-text]")) element.textContent = t(element.dataset.text);
  document.title = t("app.title");
  byId("language-switch").textContent = currentLanguage() === "en" ? "中文" : "English";
  byId("sign-out").textContent = t("app.signOut");
  byId("sign-out").hidden = !session;
  const who = !session ? "" : session.operator
    ? t("app.operator") + (session.accountId ? ` · ${session.accountId}` : "")
    : t("app.account", { id: session.accountId });
  byId("who").textContent = who;
}

function renderNav(session, active) {
  const nav = byId("nav");
  nav.hidden = !session;
  if (!session) return;
  const names = [...(session.operator ? Object.keys(OPERATOR_VIEWS) : []), ...Object.keys(ACCOUNT_VIEWS)];
  nav.replaceChildren(...names.map((name) => {
    const disabled = !Object.hasOwn(OPERATOR_VIEWS, name) && !session.accountId;
    return h("a", { href: disabled ? undefined : `#/${name}`, id: `nav-${name}`,
      class: [name === active ? "active" : "", disabled ? "disabled" : ""].join(" ").trim() }, t(`nav.${name}`));
  }));
}

async function render() {
  const mine = ++renderCount;
  const session = currentSession();
  const view = byId("view");
  delete view.dataset.ready;
  renderHeader(session);
  byId("banner").hidden = true;
  const name = session ? viewName(session) : "signin";
  renderNav(session, name);
  const page = h("div", { class: `page page-${name}` });
  const context = {
    t, notify, clearNotice, fail, confirm, navigate, rerender: render,
    api: session ? createApi(session.key) : null,
    session,
    selectAccount(accountId) {
      saveSession({ ...session, accountId });
      navigate("account");
    },
    signedIn() {
      clearNotice();
      showFromTop();
    },
  };
  try {
    if (Object.hasOwn(ACCOUNT_VIEWS, name)) {
      context.account = await context.api.get(accountPath(session.accountId));
      if (mine !== renderCount) return;
      banner(context.account);
    }
    const module = name === "signin" ? signInView : OPERATOR_VIEWS[name] ?? ACCOUNT_VIEWS[name];
    await module.render(page, context);
  } catch (error) {
    if (mine === renderCount) fail(error);
  }
  if (mine !== renderCount) return;
  view.replaceChildren(page);
  view.dataset.ready = name;
}

// The default view, rendered once: clearing a hash renders through its hashchange, so rendering here as well
// would render twice, and a form filled in between (the sign-in after a sign-out) would be replaced.
function showFromTop() {
  if (location.hash) location.hash = "";
  else render();
}

async function start() {
  setLanguage(currentLanguage());
  byId("language-switch").addEventListener("click", () => {
    setLanguage(currentLanguage() === "en" ? "zh" : "en");
    clearNotice();
    render();
  });
  byId("sign-out").addEventListener("click", () => {
    clearSession();
    clearNotice();
    showFromTop();
  });
  window.addEventListener("hashchange", () => {
    clearNotice();
    render();
  });
  try {
    await loadCatalog();
  } catch (error) {
    fail(error);
  }
  await render();
}

start();
