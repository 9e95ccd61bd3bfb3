// The in-site inbox (站内信), newest first, a page at a time; a message opens to its text.
import { accountPath } from "../api.js";
import { h, card } from "../dom.js";
import { instant } from "../format.js";
import { hasText } from "../i18n.js";

const PAGE = 20;

export async function render(page, context) {
  const { t, api, account } = context;
  const list = h("ul", { class: "inbox", id: "message-list" });
  const more = h("button", { type: "button", id: "messages-more", hidden: true }, t("app.more"));
  let cursor = null;

  async function load() {
    const answer = await api.get(accountPath(account.account_id, "/messages"), { limit: PAGE, cursor });
    list.append(...answer.messages.map((message) => item(t, message)));
    cursor = answer.next_cursor;
    more.hidden = !cursor;
    if (!list.children.length) list.append(h("li", { class: "empty" }, t("messages.none")));
  }

  more.addEventListener("click", () => load().catch(context.fail));
  await load();
  page.append(card(t("messages.title"), list, more));
}

function item(t, message) {
  const text = h("p", { class: "message-text", hidden: true }, message.text);
  const heading = h("button", { type: "button", class: "message-title", "aria-expanded": "false",
    onclick: () => {
      text.hidden = !text.hidden;
      heading.setAttribute("aria-expanded", String(!text.hidden));
    } },
  h("span", { class: `badge ${message.type}` },
    hasText(`message.type.${message.type}`) ? t(`message.type.${message.type}`) : message.type),
  h("span", { class: "title" }, message.title),
  h("time", { datetime: message.at }, instant(message.at)));
  return h("li", { "data-message-id": message.message_id, "data-type": message.type }, heading, text);
}
