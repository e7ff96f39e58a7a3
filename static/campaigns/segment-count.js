"use strict";
// The segment's live count: the form's current rules, counted on the server as they change.
(function () {
  const box = document.querySelector(".segment-count");
  const form = document.querySelector("#segment_form");
  if (!box || !form) return;
  let timer = null;
  let latest = 0;
  // aria-busy is "true" from a change until the count of the latest rules is shown
  const busy = (on) => box.setAttribute("aria-busy", on ? "true" : "false");
  function show(count, note) {
    document.getElementById("segment-count").textContent = count;
    document.getElementById("segment-count-note").textContent = note;
    busy(false);
  }
  function count() {
    const ticket = ++latest;
    busy(true);
    const data = new FormData(form);
    // filter_horizontal keeps the chosen items in a select whose options are not "selected"
    form.querySelectorAll("select[multiple]").forEach((select) => {
      data.delete(select.name);
      Array.from(select.options).filter((o) => o.selected || select.id.endsWith("_to")).forEach((o) => data.append(select.name, o.value));
    });
    fetch(box.dataset.countUrl, { method: "POST", body: data, credentials: "same-origin",
                                  headers: { "X-CSRFToken": data.get("csrfmiddlewaretoken") } })
      .then((response) => response.json())
      .then((result) => {
        if (ticket !== latest) return;
        if (!result.ok) {
          show("—", result.message);
          return;
        }
        show(result.count.toLocaleString(),
             `of ${result.reachable.toLocaleString()} reachable customers (with an address and consent) match these rules now.`);
      })
      .catch(() => { if (ticket === latest) show("—", "The count could not be reached; change a rule to try again."); });
  }
  function soon() { busy(true); clearTimeout(timer); timer = setTimeout(count, 300); }
  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
  form.addEventListener("click", (event) => { if (event.target.closest(".selector-chooser, .selector")) soon(); });
  count();
})();
