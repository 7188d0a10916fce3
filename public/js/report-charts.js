/* Charts of the annual report and the dashboard (issue 10 item 7): cumulative actuals by month
   against the year's target, certifications by park, expiring certificates by year. The data
   comes from JSON script blocks (never evaluated); each chart has its table next to it. */
(function () {
  'use strict';
  var COLOURS = ['#2f7a55', '#2a6f9e', '#c9a227', '#7fb77e', '#9aa5b1'];

  function source(root, canvasId, dataId) {
    var canvas = root.querySelector ? root.querySelector('#' + canvasId) : null;
    if (!canvas) return null;
    // The data rides on the canvas (data-chart): htmx drops script elements from swapped content.
    var block = document.getElementById(dataId);
    var text = canvas.getAttribute('data-chart') || (block && block.textContent);
    if (!text) return null;
    var data = JSON.parse(text);
    if (!data) return null;
    var existing = Chart.getChart(canvas);
    if (existing) existing.destroy();
    return { canvas: canvas, data: data };
  }

  function monthly(root, canvasId, dataId) {
    var found = source(root, canvasId, dataId);
    if (!found) return;
    var sets = [];
    found.data.series.forEach(function (s, i) {
      var colour = COLOURS[i % COLOURS.length];
      sets.push({ type: 'line', label: s.label + '（累计）', data: s.actual, borderColor: colour, backgroundColor: colour, spanGaps: false, tension: 0, pointRadius: 2 });
      if (s.target !== null && s.target !== undefined) {
        sets.push({ type: 'line', label: s.label + '目标', data: found.data.labels.map(function () { return s.target; }), borderColor: colour, borderDash: [6, 4], pointRadius: 0, borderWidth: 1 });
      }
    });
    new Chart(found.canvas, {
      type: 'line',
      data: { labels: found.data.labels, datasets: sets },
      options: { animation: false, maintainAspectRatio: false, plugins: { legend: { position: 'top', labels: { boxWidth: 12 } } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }

  function parks(root, canvasId, dataId) {
    var found = source(root, canvasId, dataId);
    if (!found || !found.data.series) return;
    var box = found.canvas.parentElement;
    if (box) box.style.height = Math.max(160, 80 + found.data.labels.length * 34) + 'px';
    new Chart(found.canvas, {
      type: 'bar',
      data: { labels: found.data.labels, datasets: found.data.series.map(function (s, i) { return { label: s.label, data: s.counts, backgroundColor: COLOURS[i % COLOURS.length], maxBarThickness: 18 }; }) },
      options: { indexAxis: 'y', animation: false, maintainAspectRatio: false, plugins: { legend: { position: 'top', labels: { boxWidth: 12 } } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { grid: { display: false } } } },
    });
  }

  function expiring(root, canvasId, dataId) {
    var found = source(root, canvasId, dataId);
    if (!found) return;
    new Chart(found.canvas, {
      type: 'bar',
      data: { labels: found.data.labels, datasets: [{ label: '期满证书', data: found.data.counts, backgroundColor: '#c9a227', maxBarThickness: 48 }] },
      options: { animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }

  function drawAll(root) {
    monthly(root, 'report-monthly-chart', 'report-monthly-data');
    parks(root, 'report-parks-chart', 'report-parks-data');
    expiring(root, 'report-expiring-chart', 'report-expiring-data');
  }

  // htmx settles a swapped element that keeps its id by first copying the old element's `style`,
  // `width` and `height` onto it — for a canvas Chart.js sized, an inline style the CSP refuses.
  // The charts of the outgoing content are destroyed and their canvases cleared before the swap.
  document.addEventListener('htmx:beforeSwap', function (evt) {
    var target = evt.detail && evt.detail.target;
    if (!target || !target.querySelectorAll) return;
    target.querySelectorAll('canvas').forEach(function (canvas) {
      var chart = Chart.getChart(canvas);
      if (chart) chart.destroy();
      canvas.removeAttribute('style');
      canvas.removeAttribute('width');
      canvas.removeAttribute('height');
    });
  });

  // Drawn once the page is there, and again after a swap has settled: htmx restores a swapped
  // element's own attributes at settle time, which would reset a canvas drawn any earlier.
  document.addEventListener('DOMContentLoaded', function () { drawAll(document); });
  document.addEventListener('htmx:afterSettle', function () { drawAll(document); });

  window.addEventListener('beforeprint', function () { Object.values(Chart.instances).forEach(function (c) { c.resize(); }); });
  window.addEventListener('afterprint', function () { Object.values(Chart.instances).forEach(function (c) { c.resize(); }); });
})();
