// aligner review: one row per unit, one column per language; edits go to the server, which keeps
// the journal and the version. Only one page of units is in the DOM at a time.
"use strict";

const TOKEN = document.querySelector('meta[name="review-token"]').content;
const PAGE_SIZE = 50;
const $ = (id) => document.getElementById(id);

let doc = null;        // {langs, sentences, threshold, output}: never changes
let state = null;      // {version, units, can_undo, can_redo, reviewed}: after every edit
let starts = {};       // lang -> index of each unit's first sentence
let shown = [];        // languages shown, in the reviewer's order
let visible = [];      // unit indices passing the filter
let filter = "all";
let page = 0;
let sel = {unit: 0, lang: null, sentence: -1};
let busy = false;

async function api(path, body) {
  const options = {headers: {"X-Review-Token": TOKEN}};
  if (body !== undefined) {
    options.method = "POST";
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({error: `HTTP ${response.status}`}));
  return {status: response.status, data};
}

// --- the model as the page sees it ------------------------------------------------------------

function setState(next) {
  state = next;
  starts = {};
  doc.langs.forEach((lang, k) => {
    let at = 0;
    starts[lang] = state.units.map((unit) => { const s = at; at += unit.counts[k]; return s; });
  });
  visible = state.units.map((_, i) => i).filter(passes);
}

function linked(unit) { return unit.counts.filter((n) => n > 0).length > 1; }
function reviewed(unit) { return unit.confirmed || unit.edited; }
function needsLook(unit) {
  return !reviewed(unit) && (unit.flagged || !linked(unit) || unit.score === null || unit.score < doc.threshold);
}
function passes(i) {
  const unit = state.units[i];
  return filter === "all" || (filter === "look" ? needsLook(unit) : !reviewed(unit));
}
function sentencesOf(i, lang) {
  const n = state.units[i].counts[doc.langs.indexOf(lang)];
  const first = starts[lang][i];
  return Array.from({length: n}, (_, j) => first + j);
}
function unitOf(lang, sentence) {  // the unit holding a sentence: binary search on the starts
  const s = starts[lang];
  let lo = 0, hi = s.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (s[mid] <= sentence) lo = mid; else hi = mid - 1;
  }
  while (lo > 0 && s[lo] === s[lo - 1] && sentencesOf(lo, lang).indexOf(sentence) < 0) lo--;
  return lo;
}
function confidenceClass(unit) {
  if (reviewed(unit)) return "done";
  if (unit.score === null || !linked(unit) || unit.score < doc.threshold) return "low";
  return unit.score < doc.threshold + 0.2 ? "mid" : "high";
}

// --- selection ---------------------------------------------------------------------------------

function select(unit, lang, sentence) {
  if (!visible.length) { sel = {unit: -1, lang: lang || shown[0], sentence: -1}; render(); return; }
  if (visible.indexOf(unit) < 0) unit = visible.find((i) => i >= unit) ?? visible[visible.length - 1];
  lang = lang || sel.lang || shown[0];
  if (sentence === undefined || sentencesOf(unit, lang).indexOf(sentence) < 0) {
    sentence = sentencesOf(unit, lang)[0] ?? -1;
  }
  sel = {unit, lang, sentence};
  page = Math.floor(visible.indexOf(unit) / PAGE_SIZE);
  render();
  const row = document.querySelector(`tr[data-unit="${unit}"]`);
  if (row) row.scrollIntoView({block: "nearest"});
}

function step(delta, predicate) {
  const at = visible.indexOf(sel.unit);
  for (let p = at + delta; p >= 0 && p < visible.length; p += delta) {
    if (!predicate || predicate(state.units[visible[p]])) { select(visible[p], sel.lang); return; }
  }
  say(predicate ? "no further unit needs a look" : "no further unit");
}

function stepLang(delta) {
  const k = shown.indexOf(sel.lang) + delta;
  if (k >= 0 && k < shown.length) select(sel.unit, shown[k]);
}

function stepSentence(delta) {
  const list = sentencesOf(sel.unit, sel.lang);
  const k = list.indexOf(sel.sentence) + delta;
  if (k >= 0 && k < list.length) select(sel.unit, sel.lang, list[k]);
}

// --- edits -------------------------------------------------------------------------------------

async function edit(op) {
  if (busy || !state) return;
  const needsSentence = ["move-prev", "move-next", "split", "unpair"].includes(op);
  if (needsSentence && sel.sentence < 0) { say("choose a sentence first (click it, or [ and ])", true); return; }
  if (op !== "undo" && op !== "redo" && sel.unit < 0) { say("choose a unit first", true); return; }
  busy = true;
  const {status, data} = await api("api/edit", {
    version: state.version, op, unit: sel.unit, lang: sel.lang || "", sentence: sel.sentence,
  });
  busy = false;
  if (status === 409) {
    say("This review was changed in another tab or window: reloading it…", true);
    setTimeout(() => location.reload(), 1500);
    return;
  }
  if (status !== 200) { say(data.error || `the edit failed (HTTP ${status})`, true); return; }
  const {unit, lang, sentence} = sel;
  setState(data);
  // The selection follows the selected sentence wherever the edit (or undo) put it.
  if (sentence >= 0) select(unitOf(lang, sentence), lang, sentence);
  else select(Math.min(unit, state.units.length - 1), lang);
  say(done(op));
}

function done(op) {
  return {"move-prev": "moved to the previous unit", "move-next": "moved to the next unit", split: "unit split",
          unpair: "marked as having no counterpart", merge: "units merged", confirm: "unit confirmed",
          undo: "undone", redo: "redone"}[op];
}

async function save() {
  say("saving…");
  const {status, data} = await api("api/save", {});
  if (status === 200) say(`saved ${data.units} units to ${data.path}`);
  else say(data.error || `saving failed (HTTP ${status})`, true);
}

function say(text, error) {
  const box = $("message");
  box.textContent = text;
  box.className = error ? "error" : "";
}

// --- rendering ---------------------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value; else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function render() {
  const cols = $("cols"), heads = $("heads"), rows = $("rows");
  cols.replaceChildren(el("col", {class: "n"}), ...shown.map(() => el("col")), el("col", {class: "act"}));
  heads.replaceChildren(el("th", {}, "#"), ...shown.map((lang) => el("th", {}, lang)), el("th", {}, ""));
  const pages = Math.max(1, Math.ceil(visible.length / PAGE_SIZE));
  page = Math.min(page, pages - 1);
  const slice = visible.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
  rows.replaceChildren(...slice.map(row));
  if (!slice.length) rows.append(el("tr", {}, el("td", {colspan: shown.length + 2}, "No unit to show with this filter.")));
  const look = state.units.filter(needsLook).length;
  $("counter").textContent = `${state.reviewed} of ${state.units.length} units reviewed · ${look} need a look`;
  $("page-info").textContent = `page ${page + 1} of ${pages} (${visible.length} units)`;
  $("prev-page").disabled = page === 0;
  $("next-page").disabled = page >= pages - 1;
  document.querySelector('[data-op="undo"]').disabled = !state.can_undo;
  document.querySelector('[data-op="redo"]').disabled = !state.can_redo;
  renderLangs();
}

function row(i) {
  const unit = state.units[i];
  const tr = el("tr", {"data-unit": i, class: confidenceClass(unit) + (i === sel.unit ? " current" : "")});
  const meta = el("td", {class: "n"}, String(i + 1));
  meta.append(el("span", {class: "score"}, unit.score === null ? "–" : unit.score.toFixed(2)));
  if (reviewed(unit)) meta.append(el("span", {class: "tag"}, unit.edited ? "edited" : "✓ confirmed"));
  if (unit.flagged) meta.append(el("span", {class: "tag flag"}, "flagged"));
  tr.append(meta);
  for (const lang of shown) {
    const list = sentencesOf(i, lang);
    if (!list.length) { tr.append(el("td", {class: "none", "data-lang": lang}, "no counterpart")); continue; }
    const td = el("td", {"data-lang": lang});
    for (const s of list) {
      const selected = i === sel.unit && lang === sel.lang && s === sel.sentence;
      td.append(el("p", {class: "s" + (selected ? " selected" : ""), "data-lang": lang, "data-sentence": s},
                    doc.sentences[lang][s]));
    }
    tr.append(td);
  }
  tr.append(el("td", {class: "act"},
               el("button", {"data-row-op": "confirm", title: "Confirm this unit"}, "✓ Confirm"),
               el("button", {"data-row-op": "merge", title: "Merge with the next unit"}, "⇣ Merge")));
  return tr;
}

function renderLangs() {
  const box = $("langs");
  const order = [...shown, ...doc.langs.filter((l) => !shown.includes(l))];
  box.replaceChildren(...order.map((lang) => {
    const on = shown.includes(lang);
    const check = el("input", {type: "checkbox", "data-lang": lang, title: `show ${lang}`});
    check.checked = on;
    const chip = el("span", {class: "lang"}, el("label", {}, check, " " + lang));
    if (on) {
      chip.append(el("button", {"data-move": "-1", "data-lang": lang, title: `${lang} one column left`}, "◀"),
                  el("button", {"data-move": "1", "data-lang": lang, title: `${lang} one column right`}, "▶"));
    }
    return chip;
  }));
}

function setShown(next) {
  if (!next.length) { say("show at least one language", true); return; }
  shown = next;
  localStorage.setItem("aligner-review-langs:" + doc.langs.join(","), JSON.stringify(shown));
  if (!shown.includes(sel.lang)) sel.lang = shown[0];
  select(sel.unit, sel.lang, sel.sentence);
}

// --- events ------------------------------------------------------------------------------------

function onClick(event) {
  const target = event.target;
  const s = target.closest("p.s");
  if (s) { select(Number(s.closest("tr").dataset.unit), s.dataset.lang, Number(s.dataset.sentence)); return; }
  const rowOp = target.closest("[data-row-op]");
  if (rowOp) { select(Number(rowOp.closest("tr").dataset.unit), sel.lang); edit(rowOp.dataset.rowOp); return; }
  const cell = target.closest("td");
  if (cell && cell.closest("#rows") && cell.closest("tr").dataset.unit !== undefined) {
    select(Number(cell.closest("tr").dataset.unit), cell.dataset.lang);
    return;
  }
  const op = target.closest("[data-op]");
  if (op) { edit(op.dataset.op); return; }
  const move = target.closest("[data-move]");
  if (move) {
    const next = [...shown], k = next.indexOf(move.dataset.lang), j = k + Number(move.dataset.move);
    if (j >= 0 && j < next.length) { [next[k], next[j]] = [next[j], next[k]]; setShown(next); }
  }
}

function onKey(event) {
  const help = $("help");
  if (event.key === "Escape") { help.hidden = true; return; }
  if (event.target.tagName === "SELECT" || event.target.tagName === "INPUT") return;
  const ctrl = event.ctrlKey || event.metaKey;
  const key = event.key;
  const actions = {
    "j": () => step(1), "ArrowDown": () => (event.shiftKey ? edit("move-next") : step(1)),
    "k": () => step(-1), "ArrowUp": () => (event.shiftKey ? edit("move-prev") : step(-1)),
    "n": () => step(1, needsLook), "p": () => step(-1, needsLook),
    "h": () => stepLang(-1), "ArrowLeft": () => stepLang(-1), "l": () => stepLang(1), "ArrowRight": () => stepLang(1),
    "[": () => stepSentence(-1), "]": () => stepSentence(1),
    "u": () => edit("move-prev"), "d": () => edit("move-next"), "s": () => edit("split"), "x": () => edit("unpair"),
    "m": () => edit("merge"), "c": () => edit("confirm"), "Enter": () => edit("confirm"),
    "z": () => edit("undo"), "y": () => edit("redo"), "Z": () => edit("redo"),
    "f": () => cycleFilter(), "?": () => { help.hidden = !help.hidden; },
    "PageDown": () => turnPage(1), "PageUp": () => turnPage(-1),
  };
  if (ctrl) {
    const lower = key.toLowerCase();
    if (lower === "s") { event.preventDefault(); save(); }
    else if (lower === "z") { event.preventDefault(); edit(event.shiftKey ? "redo" : "undo"); }
    else if (lower === "y") { event.preventDefault(); edit("redo"); }
    return;
  }
  if (event.altKey || !(key in actions) || (!help.hidden && key !== "?")) return;
  event.preventDefault();
  actions[key]();
}

function cycleFilter() {
  const box = $("filter");
  box.selectedIndex = (box.selectedIndex + 1) % box.options.length;
  applyFilter(box.value);
}

function applyFilter(value) {
  filter = value;
  visible = state.units.map((_, i) => i).filter(passes);
  page = 0;
  select(visible[0] ?? -1, sel.lang);
  say(`showing ${$("filter").selectedOptions[0].textContent}`);
}

function turnPage(delta) {
  const pages = Math.ceil(visible.length / PAGE_SIZE);
  const next = Math.min(Math.max(page + delta, 0), pages - 1);
  if (next !== page) select(visible[next * PAGE_SIZE], sel.lang);
}

async function start() {
  const [d, s] = await Promise.all([api("api/document"), api("api/state")]);
  if (d.status !== 200 || s.status !== 200) { say("cannot load the review: " + (d.data.error || s.data.error), true); return; }
  doc = d.data;
  setState(s.data);
  const saved = JSON.parse(localStorage.getItem("aligner-review-langs:" + doc.langs.join(",")) || "null");
  shown = Array.isArray(saved) && saved.length && saved.every((l) => doc.langs.includes(l)) ? saved : [...doc.langs];
  document.addEventListener("click", onClick);
  document.addEventListener("keydown", onKey);
  $("langs").addEventListener("change", (event) => {
    const lang = event.target.dataset.lang;
    setShown(event.target.checked ? [...shown, lang] : shown.filter((l) => l !== lang));
  });
  $("filter").addEventListener("change", (event) => applyFilter(event.target.value));
  $("save").addEventListener("click", save);
  $("help-button").addEventListener("click", () => { $("help").hidden = false; });
  $("help").addEventListener("click", (event) => { if (event.target.id === "help") $("help").hidden = true; });
  $("prev-page").addEventListener("click", () => turnPage(-1));
  $("next-page").addEventListener("click", () => turnPage(1));
  select(0, shown[0]);
  document.body.dataset.ready = "true";
}

start();
