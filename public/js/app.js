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

  // Double submits: while a request runs, the submit buttons of its form (and the button that sent
  // it) are disabled, on every page and for every form, including ones added later: nothing is
  // needed in the templates. htmx requests hold them until their answer; a plain form holds them
  // once the browser has taken its values (a disabled button would not send its name) until the
  // next page replaces this one.
  var SUBMITS = 'button:not([type=button]):not([type=reset]), input[type=submit], input[type=image]';
  var held = new WeakMap();

  function hold(buttons) {
    var taken = [];
    buttons.forEach(function (b) {
      if (b.disabled) return;
      b.disabled = true;
      b.setAttribute('data-busy', '');
      taken.push(b);
    });
    return taken;
  }

  function release(buttons) {
    buttons.forEach(function (b) {
      b.disabled = false;
      b.removeAttribute('data-busy');
    });
  }

  function buttonsOf(form) {
    return form ? Array.prototype.slice.call(form.querySelectorAll(SUBMITS)) : [];
  }

  document.addEventListener('htmx:beforeRequest', function (evt) {
    var elt = evt.detail.elt;
    var isButton = elt.matches && elt.matches(SUBMITS);
    // Inputs that search as you type, links, menus and polls hold nothing.
    if (!isButton && elt.tagName !== 'FORM') return;
    var form = elt.tagName === 'FORM' ? elt : elt.form;
    var buttons = buttonsOf(form);
    if (isButton && buttons.indexOf(elt) < 0) buttons.push(elt);
    held.set(elt, hold(buttons));
    if (form) form.setAttribute('aria-busy', 'true');
  });

  document.addEventListener('htmx:afterRequest', function (evt) {
    var elt = evt.detail.elt;
    var buttons = held.get(elt);
    if (!buttons) return;
    held.delete(elt);
    release(buttons);
    var form = elt.tagName === 'FORM' ? elt : elt.form;
    if (form) form.removeAttribute('aria-busy');
  });

  document.addEventListener('submit', function (evt) {
    var form = evt.target;
    if (evt.defaultPrevented || !(form instanceof HTMLFormElement)) return; // htmx took it
    if ((form.getAttribute('method') || 'get').toLowerCase() !== 'post') return;
    setTimeout(function () {
      var buttons = hold(buttonsOf(form));
      form.setAttribute('aria-busy', 'true');
      // A post that answers without leaving the page (a download) must not leave them dead.
      setTimeout(function () {
        release(buttons);
        form.removeAttribute('aria-busy');
      }, 20000);
    }, 0);
  });

  // Back to a page the browser kept: its buttons work again.
  window.addEventListener('pageshow', function (evt) {
    if (!evt.persisted) return;
    release(Array.prototype.slice.call(document.querySelectorAll('[data-busy]')));
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
