// Sign in with an API key: an account key with its account id, or an operator key (the account id optional).
import { h, field } from "../dom.js";
import { signIn, SignInError } from "../session.js";

export async function render(page, { t, signedIn, fail }) {
  const key = h("input", { type: "password", id: "signin-key", required: true, autocomplete: "off",
    placeholder: "fbk_…" });
  const account = h("input", { type: "text", id: "signin-account", autocomplete: "off",
    pattern: "[A-Za-z0-9_.\\-]{1,64}" });
  const problem = h("p", { class: "error", id: "signin-error", hidden: true });
  const submit = h("button", { type: "submit", class: "primary", id: "signin-submit" }, t("signin.submit"));

  async function onsubmit(event) {
    event.preventDefault();
    problem.hidden = true;
    submit.disabled = true;
    try {
      await signIn(key.value.trim(), account.value.trim());
      signedIn();
    } catch (error) {
      if (!(error instanceof SignInError)) {
        fail(error);
        return;
      }
      problem.textContent = t(error.textKey);
      problem.hidden = false;
    } finally {
      submit.disabled = false;
    }
  }

  page.append(h("form", { class: "card signin", id: "signin-form", onsubmit },
    h("h2", {}, t("signin.title")),
    h("p", { class: "hint" }, t("signin.intro")),
    field(t("signin.key"), key),
    field(t("signin.accountId"), account, t("signin.accountHint")),
    problem,
    submit));
}
