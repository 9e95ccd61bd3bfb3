// Who is signed in: the key, whether it is an operator's, and the account the console shows. Kept for the
// browser tab only (sessionStorage), so closing the tab signs out.
import { ApiError, accountPath, createApi } from "./api.js";

const STORAGE_KEY = "console.session";

export class SignInError extends Error {
  constructor(textKey) {
    super(textKey);
    this.textKey = textKey;
  }
}

export function currentSession() {
  const stored = sessionStorage.getItem(STORAGE_KEY);
  return stored ? JSON.parse(stored) : null;
}

export function saveSession(session) {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

export function clearSession() {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** Finds out what the key may see: only an operator key may list accounts; an account key names its account. */
export async function signIn(key, accountId) {
  const api = createApi(key);
  let operator = true;
  try {
    await api.get("/v1/accounts", { limit: 1 });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 401) throw new SignInError("signin.badKey");
    if (error.status !== 403) throw error;
    operator = false;
  }
  if (!operator && !accountId) throw new SignInError("signin.accountNeeded");
  if (accountId) {
    try {
      await api.get(accountPath(accountId));
    } catch (error) {
      if (error.status === 403) throw new SignInError("signin.notYourAccount");
      if (error.status === 404) throw new SignInError("signin.noAccount");
      throw error;
    }
  }
  const session = { key, operator, accountId: accountId || null };
  saveSession(session);
  return session;
}
