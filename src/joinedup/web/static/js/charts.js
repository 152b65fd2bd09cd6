// Draws every chart on the page from its Vega-Lite specification (a JSON data block beside it).
// Loaded after vega, vega-lite and vega-embed (served from our own origin); `ast: true` makes
// Vega interpret expressions instead of compiling them with `new Function`, so the
// Content-Security-Policy needs no 'unsafe-eval'; `defaultStyle: false` and the tooltip's
// `disableDefaultStyle` add no inline style (their styles are in /static/css/joinedup.css).
// Without JavaScript the table beside each chart carries the same figures.
for (const figure of document.querySelectorAll("[data-chart-spec]")) {
  const source = document.getElementById(figure.dataset.chartSpec);
  const target = figure.querySelector(".joinedup-chart__canvas");
  if (!source || !target) continue;
  const spec = JSON.parse(source.textContent);
  window.vegaEmbed(target, spec, {
    actions: false, ast: true, defaultStyle: false, renderer: "svg",
    tooltip: { disableDefaultStyle: true },
  })
    .then(() => figure.classList.add("joinedup-chart--drawn"))
    .catch((error) => { target.textContent = "The chart could not be drawn; the table has the figures."; console.error(error); });
}
