/* Miaopu page behaviour shared by every page. No inline scripts anywhere (CSP): all of it is here. */
(function () {
  'use strict';

  // htmx: never evaluate code from attributes or responses, talk only to our own origin, and keep
  // no page snapshots in sessionStorage (pages carry confidential firm figures).
  htmx.config.allowEval = false;
  htmx.config.allowScriptTags = false;
  htmx.config.selfRequestsOnly = true;
  htmx.config.historyCacheSize = 0;
  htmx.config.refreshOnHistoryMiss = true;
  htmx.config.includeIndicatorStyles = false;
  // Wire up swapped-in content at once: with the default 20 ms settle delay a form could show its
  // buttons before htmx handled them, and a quick click or keystroke went unheard (no transitions
  // here need the delay).
  htmx.config.defaultSettleDelay = 0;
  // Error responses carry a message or a dialog meant to be shown; mark them as errors all the same
  // so callers (the board's drag) know the request did not succeed.
  htmx.config.responseHandling = [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '[45]..', swap: true, error: true },
  ];

  // Every unsafe htmx request carries the CSRF token from the page's meta tag.
  document.addEventListener('htmx:configRequest', function (evt) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && evt.detail.verb !== 'get') evt.detail.headers['X-CSRF-Token'] = meta.getAttribute('content');
  });

  // A network failure (server down, timeout) must not pass silently.
  document.addEventListener('htmx:sendError', function () {
    showFlash('error', '无法连接服务器，请检查网络后重试。');
  });

  function showFlash(level, message) {
    var flash = document.getElementById('flash');
    if (!flash) return;
    var div = document.createElement('div');
    div.className = 'alert alert-' + level;
    div.setAttribute('role', 'alert');
    var text = document.createElement('span');
    text.className = 'alert-text';
    text.textContent = message;
    var close = document.createElement('button');
    close.type = 'button';
    close.className = 'alert-close';
    close.setAttribute('data-dismiss', '');
    close.setAttribute('aria-label', '关闭');
    close.textContent = '×';
    div.appendChild(text);
    div.appendChild(close);
    flash.replaceChildren(div);
  }
  window.miaopu = { showFlash: showFlash };

  htmx.onLoad(function (root) {
    var dialogs = root.matches && root.matches('dialog[data-auto-open]') ? [root] : [];
    root.querySelectorAll && root.querySelectorAll('dialog[data-auto-open]').forEach(function (d) { dialogs.push(d); });
    dialogs.forEach(function (dialog) {
      if (!dialog.open) dialog.showModal();
      dialog.addEventListener('close', function () { dialog.remove(); });
      var focus = dialog.querySelector('[autofocus], select, textarea, input:not([type=hidden])');
      if (focus) focus.focus();
    });
  });

  document.addEventListener('click', function (evt) {
    var target = evt.target;
    if (!(target instanceof Element)) return;
    if (target.closest('[data-dismiss]')) {
      var alert = target.closest('.alert');
      if (alert) alert.remove();
    }
    var closer = target.closest('[data-close-dialog]');
    if (closer) {
      var dialog = closer.closest('dialog');
      if (dialog) dialog.close();
    }
    if (target.closest('[data-print]')) window.print();
  });
})();
