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
  // Error responses carry a message or a dialog meant to be shown. 409 (someone changed it first)
  // and 422 (the rules ask for input) are the app's designed answers, not faults: they are swapped
  // without htmx logging them as errors; callers that must know (the board's drag) read the status.
  // Anything else 4xx/5xx is an error.
  htmx.config.responseHandling = [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '409|422', swap: true, error: false },
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

  // After a save or a move the server marks where the user should be (the moved card, the saved
  // year): focus goes there, so keyboard users continue from the thing they just changed.
  htmx.onLoad(function (root) {
    var el = root.matches && root.matches('[data-focus-on-load]') ? root : root.querySelector && root.querySelector('[data-focus-on-load]');
    if (!el) return;
    el.removeAttribute('data-focus-on-load');
    el.focus({ preventScroll: false });
    if (el.scrollIntoView) el.scrollIntoView({ block: 'nearest' });
  });

  // A message the server gave about a field belongs to the value it was given for: once the
  // user changes that value, it goes (live checks, which carry an id, update themselves).
  function dropStaleMessages(evt) {
    var control = evt.target;
    if (!(control instanceof Element) || !control.matches('input, select, textarea')) return;
    var field = control.closest('.field');
    if (!field) return;
    field.querySelectorAll('.field-error:not([id])').forEach(function (m) { m.remove(); });
    var form = control.closest('form');
    if (form && !form.querySelector('.field-error:not(:empty)')) {
      form.querySelectorAll('.form-error[data-summary]').forEach(function (m) { m.remove(); });
    }
  }
  document.addEventListener('input', dropStaleMessages);
  document.addEventListener('change', dropStaleMessages);

  // A live check answered after its form was saved and replaced has nothing left to update: drop
  // the answer (its out-of-band targets are gone; htmx would report each as an error). The event
  // fires on the detached element itself, so the listener sits there.
  htmx.onLoad(function (root) {
    var checks = root.matches && root.matches('[data-live-check]') ? [root] : [];
    if (root.querySelectorAll) root.querySelectorAll('[data-live-check]').forEach(function (c) { checks.push(c); });
    checks.forEach(function (check) {
      check.addEventListener('htmx:beforeSwap', function (evt) {
        if (!check.isConnected) evt.detail.shouldSwap = false;
      });
    });
  });

  // Menus (<details>) close when cancelled: Escape inside one, a click outside it, or a dialog it
  // opened being dismissed. Focus goes back to the menu's own button.
  var lastMenu = null;
  function closeMenu(menu, refocus) {
    if (!menu || !menu.open) return;
    menu.open = false;
    var summary = menu.querySelector('summary');
    if (refocus && summary && summary.isConnected) summary.focus();
  }
  document.addEventListener('keydown', function (evt) {
    if (evt.key !== 'Escape' || !(evt.target instanceof Element)) return;
    var menu = evt.target.closest('details[open]');
    if (menu && !menu.closest('dialog')) {
      closeMenu(menu, true);
      evt.preventDefault();
    }
  });
  document.addEventListener('submit', function (evt) {
    var menu = evt.target instanceof Element && evt.target.closest('details.move-menu');
    if (menu) lastMenu = menu;
  }, true);
  document.addEventListener('close', function (evt) {
    if (!(evt.target instanceof HTMLDialogElement)) return;
    // A dialog the card menu asked for was cancelled: the menu closes too, focus returns to it.
    if (lastMenu && lastMenu.isConnected) closeMenu(lastMenu, true);
    lastMenu = null;
  }, true);

  document.addEventListener('click', function (evt) {
    var target = evt.target;
    if (!(target instanceof Element)) return;
    document.querySelectorAll('details.move-menu[open], details.usermenu[open]').forEach(function (menu) {
      if (!menu.contains(target) && !target.closest('dialog')) closeMenu(menu, false);
    });
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
