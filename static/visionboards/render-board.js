// "Render a vision board" on a customer's page: a POST of its own, so the customer form
// around the button is neither submitted nor validated.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button.render-board");
  if (!button) return;
  const form = document.createElement("form");
  form.method = "post";
  form.action = button.dataset.url;
  const token = document.createElement("input");
  token.type = "hidden";
  token.name = "csrfmiddlewaretoken";
  token.value = document.querySelector("[name=csrfmiddlewaretoken]").value;
  form.appendChild(token);
  document.body.appendChild(form);
  form.submit();
});
