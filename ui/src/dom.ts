/**
 * The only way the UI builds DOM: elements from tag names, text as text nodes. There is no
 * HTML-string path at all (no innerHTML, no insertAdjacentHTML), so message, log and file-name
 * content can never become markup; the page's CSP also enforces Trusted Types with no policy.
 */

/** What may go inside an element: nodes, text, or nothing. */
export type Child = Node | string | number | null | undefined | false;

/** Element properties: a class, safe attributes, and event listeners. */
export interface Props {
  /** `className`. */
  readonly class?: string;
  /** Attributes set with setAttribute; `on*` and `javascript:` URLs are refused. */
  readonly attrs?: Readonly<Record<string, string | boolean | undefined>>;
  /** Event listeners by event name. */
  readonly on?: { readonly [K in keyof HTMLElementEventMap]?: (ev: HTMLElementEventMap[K]) => void };
}

function setAttr(el: Element, name: string, value: string | boolean | undefined): void {
  const n = name.toLowerCase();
  if (n.startsWith("on") || n === "style" || n === "srcdoc")
    throw new Error(`attribute ${name} is not allowed`);
  if (value === undefined || value === false) return;
  const v = value === true ? "" : value;
  if ((n === "href" || n === "src" || n === "action") && !/^(#|\.|\/|https?:|data:image\/)/i.test(v))
    throw new Error(`unsafe URL in ${name}`);
  el.setAttribute(name, v);
}

/** Appends children; strings become text nodes. */
export function append(el: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
}

/** Creates an element. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props?.class) el.className = props.class;
  for (const [k, v] of Object.entries(props?.attrs ?? {})) setAttr(el, k, v);
  for (const [k, fn] of Object.entries(props?.on ?? {})) if (fn) el.addEventListener(k, fn as EventListener);
  append(el, ...children);
  return el;
}

/** Removes every child of `el`. */
export function clear(el: Node): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

/** Replaces the children of `el`. */
export function replace(el: Node, ...children: Child[]): void {
  clear(el);
  append(el, ...children);
}

/** A button with a click handler. */
export function button(label: string, onClick: () => void, cls = ""): HTMLButtonElement {
  return h("button", { class: cls, attrs: { type: "button" }, on: { click: () => onClick() } }, label);
}

/** Local date and time of epoch ms or an ISO 8601 string (pairing.list sends those), or "—". */
export function when(t: unknown): string {
  const ms = typeof t === "string" ? Date.parse(t) : t;
  return typeof ms === "number" && Number.isFinite(ms) ? new Date(ms).toLocaleString() : "—";
}

/** Any value as short display text (objects as JSON). */
export function show(v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}
