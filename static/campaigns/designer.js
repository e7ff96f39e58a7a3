"use strict";
// The template designer: the editor's current fields are rendered for the chosen customer
// (server side, in the sandbox) and shown beside it, desktop or mobile, HTML or text.
(function () {
  const panel = document.querySelector(".designer-preview");
  if (!panel) return;
  const form = document.querySelector("#emailtemplate_form");
  const $ = (id) => document.getElementById(id);
  const fields = ["subject", "preheader", "html_body", "text_body", "language"];
  const csrf = () => form.querySelector("[name=csrfmiddlewaretoken]").value;
  let timer = null;
  let latest = 0;

  function payload(extra) {
    const data = new FormData();
    fields.forEach((name) => {
      const input = form.querySelector(`[name=${name}]`);
      if (input) data.append(name, input.value);
    });
    data.append("customer", $("preview-customer").value);
    Object.entries(extra || {}).forEach(([key, value]) => data.append(key, value));
    return data;
  }

  function post(url, data) {
    return fetch(url, { method: "POST", body: data, headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" })
      .then((response) => response.json());
  }

  function showProblem(result) {
    const where = result.part ? ` (${result.part.replace("_", " ")}${result.line ? `, line ${result.line}` : ""})` : "";
    $("preview-problem").textContent = `${result.message}${where}`;
    $("preview-problem").hidden = false;
    form.querySelectorAll("textarea.code").forEach((area) => area.classList.remove("has-problem"));
    const area = form.querySelector(result.part === "text" ? "[name=text_body]" : "[name=html_body]");
    if (area && (result.part === "body" || result.part === "text")) area.classList.add("has-problem");
  }

  function refresh() {
    const ticket = ++latest;
    $("preview-status").textContent = "Rendering…";
    const started = performance.now();
    post(panel.dataset.previewUrl, payload()).then((result) => {
      if (ticket !== latest) return; // a newer edit is on its way
      if (!result.ok) {
        showProblem(result);
        $("preview-status").textContent = "Not rendered: the last good preview stays below.";
        return;
      }
      $("preview-problem").hidden = true;
      form.querySelectorAll("textarea.code").forEach((area) => area.classList.remove("has-problem"));
      $("preview-subject").textContent = result.subject;
      $("preview-preheader").textContent = result.preheader || "—";
      $("preview-text").textContent = result.text;
      // the status tells what is on screen: it changes once the frame shows the new email
      $("preview-html").addEventListener("load", () => {
        if (ticket !== latest) return; // a newer render is on its way and will say so
        const took = Math.round(performance.now() - started);
        $("preview-status").textContent = `For ${result.customer} · recommendations: ${result.mode} · ${took} ms`;
      }, { once: true });
      $("preview-html").srcdoc = result.html;
    }).catch(() => { $("preview-status").textContent = "The preview could not be reached."; });
  }

  function soon() { clearTimeout(timer); timer = setTimeout(refresh, 350); }

  fields.forEach((name) => {
    const input = form.querySelector(`[name=${name}]`);
    if (input) input.addEventListener("input", soon);
  });
  // Enter in the designer's own inputs acts on the preview; it must not submit (save) the template
  const onEnter = (id, act) => $(id).addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); act(); }
  });
  $("preview-customer").addEventListener("change", refresh);
  onEnter("preview-customer", refresh);
  panel.querySelectorAll("[data-width]").forEach((button) => button.addEventListener("click", () => {
    panel.querySelectorAll("[data-width]").forEach((b) => b.classList.toggle("active", b === button));
    $("preview-frame").classList.toggle("mobile", button.dataset.width === "mobile");
    $("preview-frame").classList.toggle("desktop", button.dataset.width === "desktop");
  }));
  panel.querySelectorAll("[data-part]").forEach((button) => button.addEventListener("click", () => {
    panel.querySelectorAll("[data-part]").forEach((b) => b.classList.toggle("active", b === button));
    $("preview-html").hidden = button.dataset.part !== "html";
    $("preview-text").hidden = button.dataset.part !== "text";
  }));
  function sendTest() {
    $("test-result").textContent = "Sending…";
    post(panel.dataset.sendTestUrl, payload({ to: $("test-to").value }))
      .then((result) => { $("test-result").textContent = result.message; })
      .catch(() => { $("test-result").textContent = "The server could not be reached."; });
  }
  $("send-test").addEventListener("click", sendTest);
  onEnter("test-to", sendTest);
  refresh();
})();
