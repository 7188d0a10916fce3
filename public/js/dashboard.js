/* The funnel chart. Data comes from a JSON script block (never evaluated), labels are drawn on a
   canvas as text. Re-created whenever htmx swaps the funnel in. */
(function () {
  'use strict';
  var TIER_COLOURS = ['#9aa5b1', '#7fb77e', '#4f9a6a', '#3f8a5f', '#2f7a55', '#2a6f9e', '#1f5a85'];

  /** The canvas and its data under `root` (a page or a swapped fragment), with any old chart removed. */
  function prepare(root, canvasId, dataId) {
    var canvas = root.querySelector ? root.querySelector('#' + canvasId) : null;
    if (!canvas) return null;
    // The data rides on the canvas (data-chart) too: htmx drops script elements from swapped content.
    var source = document.getElementById(dataId);
    var text = canvas.getAttribute('data-chart') || (source && source.textContent);
    if (!text) return null;
    var data = JSON.parse(text);
    if (!data) return null;
    var existing = Chart.getChart(canvas);
    if (existing) existing.destroy();
    return { canvas: canvas, data: data };
  }

  function draw(root) {
    var found = prepare(root, 'funnel-chart', 'funnel-data');
    if (!found) return;
    var data = found.data;
    new Chart(found.canvas, {
      type: 'bar',
      data: {
        labels: data.labels,
        datasets: [{ label: '企业数', data: data.counts, backgroundColor: TIER_COLOURS, borderRadius: 3, barPercentage: 0.8, maxBarThickness: 36 }],
      },
      options: {
        indexAxis: 'y',
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (ctx) { return ' ' + ctx.parsed.x + ' 家'; } } } },
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0 }, grid: { color: '#eef0f2' } },
          y: { grid: { display: false }, ticks: { font: { size: 13 } } },
        },
      },
    });
  }

  var SERIES_COLOURS = ['#7fb77e', '#3f8a5f', '#2a6f9e'];

  function drawParks(root) {
    var found = prepare(root, 'park-chart', 'park-data');
    if (!found || !found.data.series) return;
    var data = found.data;
    // The box grows with the number of parks, so one park is one ordinary bar, not the whole box
    // (CSSOM, not a style attribute: the CSP forbids inline styles).
    var box = found.canvas.parentElement;
    if (box) box.style.height = Math.max(140, 70 + data.labels.length * 30) + 'px';
    new Chart(found.canvas, {
      type: 'bar',
      data: {
        labels: data.labels,
        datasets: data.series.map(function (s, i) {
          return { label: s.label, data: s.counts, backgroundColor: SERIES_COLOURS[i % SERIES_COLOURS.length], borderRadius: 2, maxBarThickness: 22 };
        }),
      },
      options: {
        indexAxis: 'y',
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { position: 'top', labels: { boxWidth: 12 } } },
        scales: {
          x: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, grid: { color: '#eef0f2' } },
          y: { stacked: true, grid: { display: false } },
        },
      },
    });
  }

  htmx.onLoad(function (root) {
    draw(root);
    drawParks(root);
  });
  // After a swap (filters, year) htmx restores the new canvases' own attributes when it settles,
  // which clears a chart drawn on load: draw again once settled.
  document.addEventListener('htmx:afterSettle', function () {
    draw(document);
    drawParks(document);
  });

  // Paper is narrower than the screen: redraw the charts at the printed size.
  window.addEventListener('beforeprint', function () {
    Object.values(Chart.instances).forEach(function (chart) { chart.resize(); });
  });
  window.addEventListener('afterprint', function () {
    Object.values(Chart.instances).forEach(function (chart) { chart.resize(); });
  });
})();
