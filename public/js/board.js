/* The board: drag a card to another column to move the firm. The server decides; on refusal the
   card goes back where it was and the reason (or a dialog asking for one) appears. */
(function () {
  'use strict';

  var busy = false;

  function setDisabled(disabled) {
    document.querySelectorAll('.cards[data-stage]').forEach(function (list) {
      var s = Sortable.get(list);
      if (s) s.option('disabled', disabled);
    });
  }

  function filterValues() {
    var form = document.getElementById('board-filters');
    var values = {};
    if (!form) return values;
    new FormData(form).forEach(function (value, key) {
      if (typeof value === 'string' && value !== '') values[key] = value;
    });
    return values;
  }

  function onEnd(evt) {
    if (evt.from === evt.to || busy) return;
    var card = evt.item;
    var from = evt.from;
    var oldIndex = evt.oldIndex;
    var revert = function () {
      if (!card.isConnected || card.parentElement === from) return;
      from.insertBefore(card, from.children[oldIndex] || null);
    };
    var values = filterValues();
    values.to = evt.to.dataset.stage;
    values.version = card.dataset.version;
    values.source = 'board';
    busy = true;
    setDisabled(true);
    card.classList.add('is-moving');
    card.addEventListener('htmx:afterRequest', function done(e) {
      card.removeEventListener('htmx:afterRequest', done);
      card.classList.remove('is-moving');
      busy = false;
      setDisabled(false);
      var status = e.detail.xhr ? e.detail.xhr.status : 0;
      if (!e.detail.successful || status >= 300 || status === 0) revert();
    });
    htmx.ajax('POST', '/firms/' + encodeURIComponent(card.dataset.uscc) + '/stage', {
      source: card,
      values: values,
      swap: 'none',
    });
  }

  function init(root) {
    var lists = [];
    if (root.matches && root.matches('.cards[data-stage]')) lists.push(root);
    if (root.querySelectorAll) root.querySelectorAll('.cards[data-stage]').forEach(function (l) { lists.push(l); });
    lists.forEach(function (list) {
      var board = list.closest('#board');
      // Roles that may not move firms get a board to read, not to drag.
      if (Sortable.get(list) || !board || board.getAttribute('data-can-move') !== 'true') return;
      Sortable.create(list, {
        group: 'board',
        sort: false, // order within a column is by recency, not by hand
        draggable: '.card',
        filter: 'summary, button, .move-menu, input, select',
        preventOnFilter: false,
        animation: 120,
        // Pointer-event dragging behaves the same with mouse, pen and touch, and in every browser
        // the bureau uses (native HTML5 drag differs between them).
        forceFallback: true,
        fallbackTolerance: 4,
        ghostClass: 'card-ghost',
        onEnd: onEnd,
      });
    });
  }

  htmx.onLoad(init);
})();
