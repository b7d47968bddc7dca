/**
 * Config: a form generated from `config.schema` and a raw JSON5 editor. Both save against the
 * hash the page loaded (`baseHash`): a change made elsewhere in between is a conflict, shown
 * with the current hash and a reload; an invalid config lists every problem the gateway found.
 * Secrets arrive redacted and stay untouched unless edited.
 */

import { field, type Schema } from "../config/form.js";
import { diffPatch, type JsonObject } from "../config/patch.js";
import { button, h, replace } from "../dom.js";
import { GatewayError } from "../gateway/client.js";
import { errorBox, errorText, type PageContext, type PageDef, pageHeader } from "./page.js";

interface ConfigGet {
  readonly path: string;
  readonly raw: string | null;
  readonly parsed: JsonObject;
  readonly hash: string;
  readonly valid: boolean;
  readonly issues: Array<{ path?: unknown; message?: string; text?: string }>;
}

interface Problem {
  readonly path?: unknown;
  readonly message?: string;
  readonly text?: string;
}

/** Every problem of a failed save, as lines of text. */
export function problemsOf(err: unknown): string[] {
  if (!(err instanceof GatewayError)) return [errorText(err)];
  const list = err.details.problems;
  if (!Array.isArray(list) || list.length === 0) return [errorText(err)];
  return (list as Problem[]).map(
    (p) => p.text ?? `${Array.isArray(p.path) ? p.path.join(".") : String(p.path ?? "")}: ${p.message ?? ""}`,
  );
}

function mount(el: HTMLElement, ctx: PageContext): undefined {
  const { conn } = ctx;
  let loaded: ConfigGet | undefined;
  let schema: Schema | undefined;
  let draft: JsonObject = {};
  let mode: "form" | "raw" = "form";
  const fieldProblems = new Map<string, string>();
  const result = h("div", {
    class: "result",
    attrs: { "aria-live": "polite", "data-testid": "config-result" },
  });
  const body = h("div");
  const info = h("p", { class: "muted" });
  const raw = h("textarea", {
    class: "mono raw-editor",
    attrs: { rows: "28", spellcheck: "false", "aria-label": "Raw config (JSON5)" },
  });

  const showProblems = (title: string, lines: string[]) =>
    show(
      h(
        "div",
        { class: "error", attrs: { role: "alert" } },
        h("strong", null, title),
        h("ul", null, ...lines.map((l) => h("li", null, l))),
      ),
    );

  /** Shows a save outcome above the editor and scrolls it into view. */
  const show = (...nodes: HTMLElement[]) => {
    replace(result, ...nodes);
    result.scrollIntoView({ block: "nearest" });
  };

  const showError = (err: unknown) => {
    if (err instanceof GatewayError && err.code === "CONFLICT") {
      const current = typeof err.details.currentHash === "string" ? err.details.currentHash : "?";
      show(
        h(
          "div",
          { class: "error conflict", attrs: { role: "alert", "data-conflict": "true" } },
          h("strong", null, "Conflict: the config changed since this page loaded it."),
          h(
            "p",
            null,
            `Loaded ${loaded?.hash.slice(0, 12) ?? "?"}, now ${current.slice(0, 12)}. Your edits were not saved.`,
          ),
          button("Reload the current config", () => void load()),
        ),
      );
    } else {
      const lines = problemsOf(err);
      showProblems(errorText(err), lines.length === 1 && lines[0] === errorText(err) ? [] : lines);
    }
  };

  const save = async () => {
    if (loaded === undefined) return;
    try {
      let res: { hash: string; changedPaths?: string[] };
      if (mode === "raw") {
        res = await conn.call("config.apply", { raw: raw.value, baseHash: loaded.hash });
      } else {
        if (fieldProblems.size > 0)
          return showProblems("Fix these fields first:", [...fieldProblems.values()]);
        const patch = diffPatch(loaded.parsed, draft);
        if (patch === undefined) return replace(result, h("p", { class: "ok" }, "Nothing changed."));
        res = await conn.call("config.patch", { raw: JSON.stringify(patch), baseHash: loaded.hash });
      }
      const paths = res.changedPaths ?? [];
      await load();
      show(
        h(
          "p",
          { class: "ok", attrs: { "data-saved": "true" } },
          `Saved (${res.hash.slice(0, 12)}). Changed: ${paths.join(", ") || "nothing"}`,
        ),
      );
    } catch (e) {
      showError(e);
    }
  };

  const setMode = (m: "form" | "raw") => {
    mode = m;
    render();
  };

  const render = () => {
    if (loaded === undefined || schema === undefined) return;
    const onProblem = (path: string, problem: string | undefined) => {
      if (problem === undefined) fieldProblems.delete(path);
      else fieldProblems.set(path, problem);
    };
    const props = schema.properties ?? {};
    const tabs = h(
      "div",
      { class: "tabs" },
      button("Form", () => setMode("form"), mode === "form" ? "tab active" : "tab"),
      button("Raw JSON5", () => setMode("raw"), mode === "raw" ? "tab active" : "tab"),
    );
    const issues = loaded.valid
      ? null
      : h(
          "div",
          { class: "error" },
          h("strong", null, "The file on disk is invalid:"),
          h("ul", null, ...loaded.issues.map((i) => h("li", null, i.text ?? i.message ?? ""))),
        );
    const editor =
      mode === "raw"
        ? raw
        : h(
            "form",
            { class: "config-form", on: { submit: (e) => e.preventDefault() } },
            ...Object.entries(props)
              .filter(([k]) => k !== "$schema" && k !== "meta")
              .map(([k, s]) => field(draft, [k], s, onProblem)),
          );
    replace(
      body,
      tabs,
      issues,
      result,
      editor,
      h(
        "div",
        { class: "row sticky" },
        button("Save", () => void save(), "primary"),
        button("Discard edits", () => void load()),
      ),
    );
  };

  const load = async () => {
    try {
      const [cfg, sch] = await Promise.all([
        conn.call<ConfigGet>("config.get", {}),
        schema === undefined
          ? conn.call<{ schema: Schema }>("config.schema", {})
          : Promise.resolve({ schema }),
      ]);
      loaded = cfg;
      schema = sch.schema;
      draft = structuredClone(cfg.parsed ?? {});
      raw.value = cfg.raw ?? "{\n}\n";
      fieldProblems.clear();
      info.textContent = `${cfg.path} · hash ${cfg.hash.slice(0, 12)}`;
      info.dataset.hash = cfg.hash;
      replace(result);
      render();
    } catch (e) {
      replace(body, errorBox(e));
    }
  };

  replace(el, pageHeader("Config"), info, body);
  void load();
  return undefined;
}

/** The Config page. */
export const configPage: PageDef = {
  id: "config",
  title: "Config",
  needs: ["config.get", "config.schema", "config.patch", "config.apply"],
  mount,
};
