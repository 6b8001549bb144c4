// The client card and the new-contact form: tabs loaded on demand, in-place edits, list rows,
// the company picker and the duplicate warning. No inline scripts (CSP); user data is only ever
// set with textContent.
/* global htmx */
(function () {
  'use strict';

  var card = document.getElementById('crm-card');

  // ------------------------------------------------------------------------------------------
  // Fragments answered with 400 (a form with its errors) or 409 (a conflict) are swapped in.
  document.addEventListener('htmx:beforeSwap', function (e) {
    var xhr = e.detail.xhr;
    if ((xhr.status === 400 || xhr.status === 409) && xhr.getResponseHeader('X-Crm-Fragment')) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  // ------------------------------------------------------------------------------------------
  // Tabs: each body is loaded the first time its tab is shown, again when it went stale.

  function failBox() {
    var tpl = document.getElementById('crm-tab-failed-template');
    return tpl ? tpl.content.cloneNode(true) : document.createTextNode('');
  }

  // While a body loads, what the pane still shows is about to be replaced: it is marked busy
  // (dimmed, not clickable; card.css), so an editor opened on it is not swept away by the load.
  function loadPane(pane) {
    pane.dataset.loaded = '1';
    delete pane.dataset.stale;
    pane.setAttribute('aria-busy', 'true');
    var done = function () {
      pane.removeAttribute('aria-busy');
    };
    var loading = htmx.ajax('GET', pane.dataset.tabSrc, { target: pane, swap: 'innerHTML' });
    if (loading && loading.then) loading.then(done, done);
    else done();
    return loading;
  }

  function activePane() {
    return card ? card.querySelector('[data-tab-pane].active') : null;
  }

  function onShown(e) {
    var pane = document.querySelector(e.target.getAttribute('data-bs-target'));
    if (pane && (!pane.dataset.loaded || pane.dataset.stale)) loadPane(pane);
    if (window.history && window.history.replaceState) window.history.replaceState(null, '', '#' + e.target.id);
  }

  function initTabs() {
    if (!card) return;
    card.querySelectorAll('[data-bs-toggle="tab"]').forEach(function (btn) {
      btn.addEventListener('shown.bs.tab', onShown);
    });
    var wanted = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
    if (wanted && wanted.matches('[data-bs-toggle="tab"]') && !wanted.classList.contains('active') && window.bootstrap) {
      window.bootstrap.Tab.getOrCreateInstance(wanted).show();
    } else {
      var pane = activePane();
      if (pane) loadPane(pane);
    }
  }

  // A tab whose body cannot be fetched (network, 500) shows the same box as a tab that threw.
  function paneOf(e) {
    var target = e.detail && (e.detail.target || e.detail.elt);
    return target && target.matches && target.matches('[data-tab-pane]') ? target : null;
  }

  function showAlert(text) {
    if (!card) return;
    var box = document.getElementById('crm-card-alert');
    if (!box) {
      box = document.createElement('div');
      box.id = 'crm-card-alert';
      box.className = 'alert alert-danger alert-dismissible fade show small py-2';
      box.setAttribute('role', 'alert');
      card.insertBefore(box, card.firstChild);
    }
    box.textContent = text;
    var close = document.createElement('button');
    close.type = 'button';
    close.className = 'btn-close';
    close.setAttribute('data-bs-dismiss', 'alert');
    close.setAttribute('aria-label', 'Close');
    box.appendChild(close);
  }

  function onRequestFailed(e) {
    var pane = paneOf(e);
    var verb = e.detail.requestConfig && e.detail.requestConfig.verb;
    if (pane && verb === 'get') {
      pane.replaceChildren(failBox());
      return;
    }
    var message = '';
    try {
      message = JSON.parse(e.detail.xhr.responseText).error.message;
    } catch {
      message = e.detail.xhr && e.detail.xhr.statusText ? e.detail.xhr.statusText : '';
    }
    showAlert(message || (card && card.dataset.failed) || 'Error');
  }
  document.addEventListener('htmx:responseError', onRequestFailed);
  document.addEventListener('htmx:sendError', onRequestFailed);

  document.addEventListener('click', function (e) {
    var retry = e.target.closest('[data-tab-retry]');
    if (retry) {
      var pane = retry.closest('[data-tab-pane]');
      if (pane) loadPane(pane);
    }
  });

  // ------------------------------------------------------------------------------------------
  // After a change: versions of open editors move on, the header and counts are refreshed, and
  // other tabs reload the next time they are shown.

  function refreshHeader() {
    if (card && card.dataset.headerSrc && document.getElementById('card-header')) {
      htmx.ajax('GET', card.dataset.headerSrc, { target: '#card-header', swap: 'outerHTML' });
    }
  }

  function markOthersStale() {
    if (!card) return;
    var active = activePane();
    card.querySelectorAll('[data-tab-pane][data-loaded]').forEach(function (pane) {
      if (pane !== active) pane.dataset.stale = '1';
    });
  }

  document.body.addEventListener('crm:changed', function (e) {
    var d = e.detail || {};
    if (d.version && d.from) {
      document.querySelectorAll('input[data-card-version]').forEach(function (input) {
        if (input.value === String(d.from)) input.value = String(d.version);
      });
    }
    // The same field may be shown in the open tab too (a status changed from the header).
    if (d.field) {
      document.querySelectorAll('div.crm-field[data-field="' + CSS.escape(d.field) + '"]').forEach(function (el) {
        var btn = el.querySelector('[hx-get]');
        var src = btn ? btn.getAttribute('hx-get').replace(/\/edit$/, '') : null;
        if (src) htmx.ajax('GET', src, { target: el, swap: 'outerHTML' });
      });
    }
    refreshHeader();
    markOthersStale();
  });

  document.body.addEventListener('crm:stale', function () {
    refreshHeader();
    markOthersStale();
  });

  // ------------------------------------------------------------------------------------------
  // In-place editors: focus the first input, Escape cancels.

  document.addEventListener('htmx:load', function (e) {
    var el = e.target;
    if (el.matches && el.matches('.crm-field-editing, .crm-note-editing')) {
      var input = el.querySelector('input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select, textarea');
      if (input) {
        input.focus();
        if (input.select && input.type !== 'date' && input.type !== 'number') input.select();
      }
    }
  });

  // Ctrl+Enter (Cmd+Enter on a Mac) saves from a text area: notes, comments, long fields.
  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Enter' || !(e.ctrlKey || e.metaKey) || e.target.tagName !== 'TEXTAREA' || !e.target.form) return;
    e.preventDefault();
    e.target.form.requestSubmit();
  });

  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape') return;
    var editing = e.target.closest && e.target.closest('.crm-field-editing, .crm-note-editing');
    if (!editing || e.target.closest('[data-company-picker].crm-picker-open')) return;
    var cancel = editing.querySelector('[data-cancel]');
    if (cancel) {
      e.preventDefault();
      cancel.click();
    }
  });

  // ------------------------------------------------------------------------------------------
  // List editors (emails, phones, addresses...): add and remove rows, keeping indexes dense so
  // error paths like emails.1.value point at the row shown.

  function renumber(rows) {
    rows.querySelectorAll(':scope > [data-row]').forEach(function (row, i) {
      row.querySelectorAll('[name]').forEach(function (el) {
        el.name = el.name.replace(/^(\w+)\[\d+\]/, '$1[' + i + ']');
        if (el.type === 'radio' && el.name === 'primary') el.value = String(i);
      });
    });
    var radios = rows.querySelectorAll('input[type=radio][name=primary]');
    if (radios.length && !Array.prototype.some.call(radios, function (r) { return r.checked; })) radios[0].checked = true;
  }

  function clearRow(row) {
    row.querySelectorAll('input, textarea, select').forEach(function (el) {
      if (el.type === 'checkbox' || el.type === 'radio') el.checked = false;
      else if (el.tagName === 'SELECT') el.selectedIndex = Math.max(0, el.selectedIndex);
      else el.value = '';
      el.classList.remove('is-invalid');
    });
    row.querySelectorAll('.invalid-feedback, .text-danger').forEach(function (el) { el.remove(); });
  }

  document.addEventListener('click', function (e) {
    var add = e.target.closest('[data-add-row]');
    if (add) {
      var rows = add.closest('[data-rows]');
      var first = rows.querySelector(':scope > [data-row]');
      if (!first) return;
      var clone = first.cloneNode(true);
      clearRow(clone);
      rows.insertBefore(clone, add);
      renumber(rows);
      var input = clone.querySelector('input:not([type=hidden]):not([type=radio]):not([type=checkbox])');
      if (input) input.focus();
      return;
    }
    var remove = e.target.closest('[data-remove-row]');
    if (remove) {
      var list = remove.closest('[data-rows]');
      var row = remove.closest('[data-row]');
      if (list.querySelectorAll(':scope > [data-row]').length > 1) row.remove();
      else clearRow(row);
      renumber(list);
      list.dispatchEvent(new Event('input', { bubbles: true }));
    }
  });

  // ------------------------------------------------------------------------------------------
  // The company picker: type, choose from the suggestions (GET /crm/contacts/suggest).

  function debounce(fn, ms) {
    var timer;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function initPicker(picker) {
    if (picker.dataset.ready) return;
    picker.dataset.ready = '1';
    var text = picker.querySelector('[data-picker-text]');
    var id = picker.querySelector('[data-picker-id]');
    var menu = picker.querySelector('[data-picker-menu]');
    var items = [];
    var active = -1;
    var seq = 0;

    function close() {
      menu.classList.remove('show');
      picker.classList.remove('crm-picker-open');
      active = -1;
    }
    function choose(item) {
      id.value = String(item.id);
      text.value = item.name;
      close();
    }
    function highlight(i) {
      var buttons = menu.querySelectorAll('.dropdown-item');
      buttons.forEach(function (b, j) { b.classList.toggle('active', j === i); });
      active = i;
    }
    function render() {
      menu.replaceChildren();
      if (!items.length) {
        var none = document.createElement('span');
        none.className = 'dropdown-item-text text-secondary small';
        none.textContent = menu.dataset.empty || '';
        menu.appendChild(none);
      }
      items.forEach(function (item) {
        var b = document.createElement('button');
        b.type = 'button';
        b.className = 'dropdown-item';
        b.textContent = item.name;
        b.addEventListener('mousedown', function (ev) { ev.preventDefault(); });
        b.addEventListener('click', function () { choose(item); });
        menu.appendChild(b);
      });
      menu.classList.add('show');
      picker.classList.add('crm-picker-open');
      active = -1;
    }
    var search = debounce(function () {
      var q = text.value.trim();
      if (!q) return close();
      var mine = ++seq;
      fetch('/crm/contacts/suggest?kind=company&q=' + encodeURIComponent(q), { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (list) {
          if (mine !== seq) return;
          items = (Array.isArray(list) ? list : []).filter(function (c) { return c.kind === 'company'; });
          render();
        })
        .catch(function () {});
    }, 200);

    text.addEventListener('input', function () {
      id.value = ''; // typed text is not a company until one is chosen
      search();
    });
    text.addEventListener('keydown', function (e) {
      if (!menu.classList.contains('show')) return;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        var n = items.length;
        if (n) highlight((active + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
      } else if (e.key === 'Enter' && active >= 0) {
        e.preventDefault();
        choose(items[active]);
      } else if (e.key === 'Escape') {
        e.preventDefault();
        close();
      }
    });
    text.addEventListener('blur', function () { setTimeout(close, 150); });
  }

  // ------------------------------------------------------------------------------------------
  // The duplicate warning of the new-contact form (GET /api/v1/contacts/duplicates-check).

  function initDuplicateCheck(form) {
    var box = form.querySelector('[data-dup-warning]');
    if (!box || form.dataset.dupReady) return;
    form.dataset.dupReady = '1';
    var seq = 0;
    var check = debounce(function () {
      var params = new URLSearchParams();
      ['email', 'phone', 'tax_id'].forEach(function (type) {
        var inputs = form.querySelectorAll('[data-dup="' + type + '"]');
        for (var i = inputs.length - 1; i >= 0; i--) {
          if (inputs[i].value.trim()) {
            params.set(type, inputs[i].value.trim());
            if (type === 'tax_id') {
              var kind = inputs[i].closest('[data-row]').querySelector('select');
              if (kind) params.set('tax_id_type', kind.value);
            }
            break;
          }
        }
      });
      var mine = ++seq;
      if (!params.toString()) {
        box.classList.add('d-none');
        return;
      }
      fetch(box.dataset.dupUrl + '?' + params.toString(), { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (data) {
          if (mine !== seq) return;
          var list = (data && data.items) || [];
          box.replaceChildren();
          if (!list.length) return box.classList.add('d-none');
          var title = document.createElement('div');
          title.className = 'fw-semibold mb-1';
          var icon = document.createElement('i');
          icon.className = 'bi bi-exclamation-triangle me-1';
          title.appendChild(icon);
          title.appendChild(document.createTextNode(box.dataset.dupTitle));
          box.appendChild(title);
          var ul = document.createElement('ul');
          ul.className = 'mb-0 ps-3';
          list.forEach(function (c) {
            var li = document.createElement('li');
            var a = document.createElement('a');
            a.href = '/crm/contacts/' + encodeURIComponent(c.id);
            a.target = '_blank';
            a.rel = 'noopener';
            a.className = 'alert-link';
            a.textContent = c.name;
            li.appendChild(a);
            var why = document.createElement('span');
            why.className = 'text-secondary ms-1';
            why.textContent = '(' + (c.matches || []).map(function (m) { return box.dataset['dup' + m.replace('_id', 'Id').replace(/^./, function (x) { return x.toUpperCase(); })] || m; }).join(', ') + ')';
            li.appendChild(why);
            ul.appendChild(li);
          });
          box.appendChild(ul);
          box.classList.remove('d-none');
        })
        .catch(function () {});
    }, 350);
    form.addEventListener('input', function (e) {
      if (e.target.closest('[data-dup]') || e.target.matches('[data-rows]')) check();
    });
    form.addEventListener('change', function (e) {
      if (e.target.closest('[data-row]') && e.target.tagName === 'SELECT') check();
    });
    check();
  }

  function init(root) {
    root.querySelectorAll('[data-company-picker]').forEach(initPicker);
    root.querySelectorAll('form[data-new-contact]').forEach(initDuplicateCheck);
  }

  document.addEventListener('htmx:load', function (e) { init(e.target); });
  document.addEventListener('DOMContentLoaded', function () {
    init(document);
    initTabs();
  });
})();
