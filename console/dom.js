// Elements are built from data with text nodes only, never innerHTML, so no text from the API becomes markup.

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) {
      element.addEventListener(name.slice(2), value);
    } else if (name === "value" || name === "checked") {
      element[name] = value;
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  element.append(...nodes(children));
  return element;
}

function nodes(children) {
  return children.flat(Infinity)
    .filter((child) => child !== null && child !== undefined && child !== false)
    .map((child) => (child instanceof Node ? child : document.createTextNode(String(child))));
}

/** A table of `rows`, one column per {title, cell(row), className?, foot?}; `empty` fills it when there are no
 * rows; with `foot` (a totals line, say) a footer row shows each column's `foot(foot)`. */
export function table(columns, rows, { empty, rowAttributes = () => ({}), id, foot } = {}) {
  const head = h("tr", {}, columns.map((column) => h("th", { class: column.className }, column.title)));
  const body = rows.length
    ? rows.map((row) => h("tr", rowAttributes(row), columns.map((column) => h("td", { class: column.className },
      column.cell(row)))))
    : [h("tr", { class: "empty" }, h("td", { colspan: columns.length }, empty))];
  const footer = foot ? h("tfoot", {}, h("tr", {}, columns.map((column) => h("td", { class: column.className },
    column.foot ? column.foot(foot) : null)))) : null;
  return h("table", { id }, h("thead", {}, head), h("tbody", {}, body), footer);
}

export function field(label, control, hint) {
  return h("label", { class: "field" }, h("span", { class: "label" }, label), control,
    hint ? h("small", { class: "hint" }, hint) : null);
}

export function select(id, options, selected, onchange) {
  return h("select", { id, onchange },
    options.map(([value, label]) => h("option", { value, selected: value === selected }, label)));
}

export function card(title, ...children) {
  return h("section", { class: "card" }, title ? h("h2", {}, title) : null, children);
}
