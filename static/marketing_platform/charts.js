"use strict";
// Draws every chart of the page from its spec (marketing_platform/charts.py) with Chart.js, in
// the admin's own text colours, again when the theme changes; the canvas resizes with the page.
(function () {
  if (typeof Chart === "undefined") return;
  const drawn = [];

  function ink() {
    const style = getComputedStyle(document.body);
    return {
      text: style.getPropertyValue("--body-fg").trim() || "#333",
      grid: style.getPropertyValue("--hairline-color").trim() || "#e8e8e8",
    };
  }

  function axis(title, stacked, colours) {
    return {
      stacked,
      title: { display: Boolean(title), text: title, color: colours.text },
      ticks: { color: colours.text, precision: 0 },
      grid: { color: colours.grid },
    };
  }

  function config(spec, colours) {
    const line = spec.kind === "line";
    const stacked = spec.kind === "stacked";
    return {
      type: line ? "line" : "bar",
      data: {
        labels: spec.labels,
        datasets: spec.series.map((series) => ({
          label: series.name,
          data: series.values,
          backgroundColor: series.colour,
          borderColor: series.colour,
          borderWidth: line ? 2 : 0,
          pointRadius: line ? 2 : 0,
          maxBarThickness: 64,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: { x: axis(spec.label_title, stacked, colours), y: { ...axis(spec.unit, stacked, colours), beginAtZero: true } },
        plugins: { legend: { position: "bottom", labels: { color: colours.text } } },
      },
    };
  }

  function recolour() {
    const colours = ink();
    drawn.forEach((chart) => {
      const options = chart.options;
      [options.scales.x, options.scales.y].forEach((scale) => {
        scale.title.color = colours.text;
        scale.ticks.color = colours.text;
        scale.grid.color = colours.grid;
      });
      options.plugins.legend.labels.color = colours.text;
      chart.update();
    });
  }

  document.querySelectorAll("canvas[data-chart-spec]").forEach((canvas) => {
    const spec = JSON.parse(document.getElementById(canvas.dataset.chartSpec).textContent);
    drawn.push(new Chart(canvas, config(spec, ink())));
  });
  document.querySelectorAll(".chart-swatch[data-colour]").forEach((swatch) => {
    swatch.style.backgroundColor = swatch.dataset.colour;
  });
  new MutationObserver(recolour).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", recolour);
})();
