/**
 * A form generated from the config's JSON Schema. Objects with known properties become nested
 * sections; strings, numbers, booleans and enums become inputs; lists of plain values become
 * one-per-line text areas; anything else (maps, lists of objects, unions) a JSON text area.
 * Every edit writes into `draft`; the page diffs draft against the original to get the patch.
 */
import { h } from "../dom.js";
import { getPath, isObject, type JsonObject, setPath } from "./patch.js";

/** The subset of JSON Schema the form reads. */
export interface Schema {
  readonly type?: string | string[];
  readonly properties?: Record<string, Schema>;
  readonly items?: Schema;
  readonly enum?: unknown[];
  readonly description?: string;
  readonly default?: unknown;
}

/** Called with a field's problem (bad number, bad JSON), or undefined when it is fine again. */
export type ProblemFn = (path: string, problem: string | undefined) => void;

const PLAIN = new Set(["string", "number", "integer", "boolean"]);
const typeOf = (s: Schema) => (Array.isArray(s.type) ? s.type[0] : s.type);

function label(name: string, s: Schema, control: HTMLElement, path: string): HTMLElement {
  return h(
    "label",
    { class: "field", attrs: { "data-path": path } },
    h("span", { class: "name" }, name),
    control,
    s.description ? h("span", { class: "hint" }, s.description) : null,
  );
}

function placeholder(s: Schema): string {
  return s.default === undefined || isObject(s.default) ? "" : `default: ${JSON.stringify(s.default)}`;
}

function scalar(draft: JsonObject, path: string[], s: Schema, onProblem: ProblemFn): HTMLElement {
  const key = path.join(".");
  const value = getPath(draft, path);
  const name = path[path.length - 1] ?? "";
  const t = typeOf(s);
  if (s.enum !== undefined || t === "boolean") {
    const options = s.enum ?? [true, false];
    const select = h(
      "select",
      { attrs: { "aria-label": key } },
      h(
        "option",
        { attrs: { value: "" } },
        `(unset${s.default === undefined ? "" : `: ${JSON.stringify(s.default)}`})`,
      ),
      ...options.map((o, i) =>
        h(
          "option",
          { attrs: { value: String(i), selected: JSON.stringify(o) === JSON.stringify(value) } },
          String(o),
        ),
      ),
    );
    select.addEventListener("change", () =>
      setPath(draft, path, select.value === "" ? undefined : options[Number(select.value)]),
    );
    return label(name, s, select, key);
  }
  const input = h("input", {
    attrs: {
      type: t === "string" ? "text" : "number",
      value: value === undefined ? "" : String(value),
      placeholder: placeholder(s),
      "aria-label": key,
      autocomplete: "off",
    },
  });
  input.addEventListener("input", () => {
    const v = input.value;
    if (v === "") {
      setPath(draft, path, undefined);
      return onProblem(key, undefined);
    }
    if (t === "string") return void setPath(draft, path, v);
    const n = Number(v);
    if (!Number.isFinite(n) || (t === "integer" && !Number.isInteger(n)))
      return onProblem(key, `${key}: not a${t === "integer" ? "n integer" : " number"}`);
    onProblem(key, undefined);
    setPath(draft, path, n);
  });
  return label(name, s, input, key);
}

function lines(draft: JsonObject, path: string[], s: Schema): HTMLElement {
  const key = path.join(".");
  const value = getPath(draft, path);
  const itemType = s.items ? typeOf(s.items) : "string";
  const area = h("textarea", { attrs: { rows: "3", "aria-label": key, placeholder: "one per line" } });
  area.value = Array.isArray(value) ? value.map(String).join("\n") : "";
  area.addEventListener("input", () => {
    const items = area.value
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "");
    const typed = itemType === "string" ? items : items.map(Number);
    setPath(draft, path, items.length === 0 && value === undefined ? undefined : typed);
  });
  return label(path[path.length - 1] ?? "", s, area, key);
}

function json(draft: JsonObject, path: string[], s: Schema, onProblem: ProblemFn): HTMLElement {
  const key = path.join(".");
  const value = getPath(draft, path);
  const area = h("textarea", {
    class: "mono",
    attrs: { rows: value === undefined ? "2" : "6", "aria-label": key, placeholder: "JSON" },
  });
  area.value = value === undefined ? "" : JSON.stringify(value, null, 2);
  area.addEventListener("input", () => {
    if (area.value.trim() === "") {
      setPath(draft, path, undefined);
      return onProblem(key, undefined);
    }
    try {
      setPath(draft, path, JSON.parse(area.value));
      onProblem(key, undefined);
    } catch (e) {
      onProblem(key, `${key}: ${(e as Error).message}`);
    }
  });
  return label(path[path.length - 1] ?? "", s, area, key);
}

/** Renders the field (or section) for `path` with schema `s`. */
export function field(
  draft: JsonObject,
  path: string[],
  s: Schema,
  onProblem: ProblemFn,
  depth = 0,
): HTMLElement {
  const t = typeOf(s);
  if (s.properties !== undefined) {
    const children = Object.entries(s.properties)
      .filter(([k]) => k !== "$schema")
      .map(([k, sub]) => field(draft, [...path, k], sub, onProblem, depth + 1));
    const name = path[path.length - 1] ?? "config";
    const details = h(
      "details",
      { class: `section depth-${depth}`, attrs: { "data-path": path.join(".") } },
      h("summary", null, name, s.description ? h("span", { class: "hint" }, ` — ${s.description}`) : null),
      ...children,
    );
    return details;
  }
  if (s.enum !== undefined || (t !== undefined && PLAIN.has(t))) return scalar(draft, path, s, onProblem);
  if (t === "array" && s.items && (s.items.enum !== undefined || PLAIN.has(typeOf(s.items) ?? "")))
    return lines(draft, path, s);
  return json(draft, path, s, onProblem);
}
