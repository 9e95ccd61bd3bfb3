// Money comes from the API as strings with two decimals ("17000.00"). Sums and products are done on whole
// fen in BigInt: a JavaScript float would lose fen on large amounts.

const MONEY = /^(-?)(\d+)\.(\d{2})$/;

function toFen(text) {
  const parts = MONEY.exec(text);
  if (!parts) throw new Error(`not an amount of money: ${text}`);
  const fen = BigInt(parts[2]) * 100n + BigInt(parts[3]);
  return parts[1] ? -fen : fen;
}

function fromFen(fen) {
  const sign = fen < 0n ? "-" : "";
  const digits = (fen < 0n ? -fen : fen).toString().padStart(3, "0");
  return `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

export function sum(texts) {
  return fromFen(texts.reduce((total, text) => total + toFen(text), 0n));
}

export function times(text, quantity) {
  return fromFen(toFen(text) * BigInt(quantity));
}

export function minus(left, right) {
  return fromFen(toFen(left) - toFen(right));
}

export function negate(text) {
  return fromFen(-toFen(text));
}

export function isNegative(text) {
  return toFen(text) < 0n;
}

/** A yuan amount typed by a person ("200", "99.5") as the API takes it ("200.00"), or null. */
export function fromInput(text) {
  const parts = /^\s*(\d{1,12})(?:\.(\d{1,2}))?\s*$/.exec(text);
  return parts ? `${BigInt(parts[1])}.${(parts[2] ?? "").padEnd(2, "0")}` : null;
}

/** The same for an amount that may be below zero ("-50" as "-50.00"): a balance alert's threshold. */
export function signedFromInput(text) {
  const parts = /^\s*(-?)\s*(.*)$/.exec(text);
  const yuan = fromInput(parts[2]);
  return yuan && parts[1] && yuan !== "0.00" ? `-${yuan}` : yuan;
}
