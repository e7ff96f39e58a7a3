"use strict";
// A campaign's moves (schedule, pause, cancel…) are each sent once: the first submit disables
// every move button of the page, and a move that cannot be undone asks first, so a double
// click on Pause cannot land on the Cancel button of the page that answers it.
(function () {
  const moves = document.querySelector(".campaign-moves");
  if (!moves) return;
  const buttons = () => moves.querySelectorAll("button[data-move]");
  let sent = false;
  moves.addEventListener("submit", (event) => {
    const question = event.target.querySelector("button[data-move]")?.dataset.confirm;
    if (sent || (question && !window.confirm(question))) {
      event.preventDefault();
      return;
    }
    sent = true;
    buttons().forEach((button) => { button.disabled = true; });
  });
  // back to this page from the browser's history: its buttons work again
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    sent = false;
    buttons().forEach((button) => { button.disabled = false; });
  });
})();
