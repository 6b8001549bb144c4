// The client list: live search, clean filter URLs, the selection and the column chooser. The page works without
// it (plain links and a GET form); this only makes it quicker to use.
(function () {
  'use strict';
  var root = document.querySelector('[data-crm-list]');
  if (!root) return;
  var form = document.getElementById('crm-list-form');
  var meta = document.querySelector('meta[name="csrf-token"]');
  var token = meta ? meta.getAttribute('content') : '';

  // A plugin's condition applies while its switch is on; filling one of its inputs turns it on.
  form.querySelectorAll('[data-crm-condition]').forEach(function (set) {
    var toggle = set.querySelector('[data-crm-condition-switch]');
    set.addEventListener('input', function (e) {
      if (e.target !== toggle && e.target.value !== '') toggle.checked = true;
    });
  });
  function switchedOff(key) {
    var off = false;
    form.querySelectorAll('[data-crm-condition-switch]').forEach(function (toggle) {
      if (!toggle.checked && key.indexOf(toggle.name + '.') === 0) off = true;
    });
    return off;
  }

  // Only filled inputs go into the address, so links stay short and readable.
  function urlOf() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (typeof value === 'string' && value.trim() !== '' && !switchedOff(key)) params.append(key, value.trim());
    });
    var query = params.toString();
    return form.getAttribute('action') + (query ? '?' + query : '');
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    window.location.assign(urlOf());
  });

  // Live search: the results are fetched alone and swapped in; the search box keeps its focus.
  var search = document.getElementById('crm-q');
  var timer = null;
  var pending = null;
  function refresh() {
    var url = urlOf();
    if (pending) pending.abort();
    pending = new AbortController();
    var results = document.getElementById('crm-results');
    results.setAttribute('aria-busy', 'true');
    fetch(url, { headers: { 'X-Crm-Partial': 'results' }, credentials: 'same-origin', signal: pending.signal })
      .then(function (res) {
        if (!res.ok && res.status !== 400) throw new Error('HTTP ' + res.status);
        return res.text();
      })
      .then(function (html) {
        var template = document.createElement('template');
        template.innerHTML = html;
        var fresh = template.content.querySelector('#crm-results');
        if (!fresh) throw new Error('no results in the answer');
        document.getElementById('crm-results').replaceWith(fresh);
        syncPage();
        window.history.replaceState(null, '', url);
      })
      .catch(function (err) {
        if (err && err.name === 'AbortError') return;
        window.location.assign(url);
      });
  }
  if (search) {
    search.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 250);
    });
    // "/" focuses the search, as in many list tools.
    document.addEventListener('keydown', function (e) {
      var target = e.target;
      var typing = target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
      if (e.key === '/' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        search.focus();
        search.select();
      }
    });
  }

  // The selection: every tick is saved at once, so it survives paging, searching and later visits.
  // The bar's own forms (select all that match, clear) also work without this script.
  function selectionRequest(body) {
    return fetch('/crm/contacts/selection', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': token },
      body: JSON.stringify(body),
    }).then(function (res) {
      return res.json().then(function (data) {
        if (!res.ok) throw new Error((data && data.error && data.error.message) || 'HTTP ' + res.status);
        return data;
      });
    });
  }
  function rowBoxes() {
    return Array.prototype.slice.call(root.querySelectorAll('[data-crm-select]'));
  }
  function syncPage() {
    var page = root.querySelector('[data-crm-select-page]');
    var boxes = rowBoxes();
    boxes.forEach(function (box) {
      var row = box.closest('tr');
      if (row) row.classList.toggle('crm-row-selected', box.checked);
    });
    if (!page) return;
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    page.checked = boxes.length > 0 && ticked === boxes.length;
    page.indeterminate = ticked > 0 && ticked < boxes.length;
  }
  function showSelection(data) {
    document.querySelectorAll('[data-crm-selection-text]').forEach(function (el) { el.textContent = data.text; });
    var bar = root.querySelector('[data-crm-selection-bar]');
    if (bar) bar.classList.toggle('d-none', data.count === 0);
    var error = root.querySelector('[data-crm-selection-error]');
    if (error) error.remove();
  }
  function showError(err) {
    var bar = root.querySelector('[data-crm-selection-bar]');
    if (!bar) return;
    bar.classList.remove('d-none');
    var error = bar.querySelector('[data-crm-selection-error]') || document.createElement('span');
    error.setAttribute('data-crm-selection-error', '');
    error.setAttribute('role', 'alert');
    error.className = 'text-danger small w-100';
    error.textContent = err.message;
    bar.appendChild(error);
  }
  function tick(boxes, checked) {
    boxes.forEach(function (box) { box.checked = checked; });
    syncPage();
    var ids = boxes.map(function (box) { return Number(box.value); });
    return selectionRequest({ op: checked ? 'add' : 'remove', ids: ids })
      .then(showSelection)
      .catch(function (err) {
        boxes.forEach(function (box) { box.checked = !checked; });
        syncPage();
        showError(err);
      });
  }
  root.addEventListener('change', function (e) {
    var box = e.target;
    if (!(box instanceof HTMLInputElement)) return;
    if (box.hasAttribute('data-crm-select')) tick([box], box.checked);
    else if (box.hasAttribute('data-crm-select-page')) tick(rowBoxes(), box.checked);
  });
  root.addEventListener('submit', function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-crm-selection-form')) return;
    e.preventDefault();
    var data = new FormData(form);
    var op = data.get('op');
    var button = form.querySelector('button');
    if (button) button.disabled = true;
    selectionRequest({ op: op, filter: data.get('filter') || undefined })
      .then(function (result) {
        // The selected view lists the selection itself: show what is left.
        if (op === 'clear' && root.querySelector('[data-crm-selected-view]')) return window.location.reload();
        rowBoxes().forEach(function (box) { box.checked = op === 'matching'; });
        if (op === 'matching') {
          form.classList.add('d-none');
          var done = root.querySelector('[data-crm-matching-done]');
          if (done) done.classList.remove('d-none');
        }
        syncPage();
        showSelection(result);
      })
      .catch(showError)
      .then(function () {
        if (button) button.disabled = false;
      });
  });
  syncPage();

  // Choices only another plugin knows (its segments, its classes) load when an action's form opens.
  document.addEventListener('show.bs.modal', function (e) {
    var modal = e.target;
    if (!(modal instanceof HTMLElement)) return;
    modal.querySelectorAll('select[data-crm-options]:not([data-crm-loaded])').forEach(function (select) {
      select.setAttribute('data-crm-loaded', '');
      var none = select.querySelector('[data-crm-none]');
      fetch(select.getAttribute('data-crm-options'), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (res) {
          if (!res.ok) throw new Error('HTTP ' + res.status);
          return res.json();
        })
        .then(function (data) {
          var list = Array.isArray(data) ? data : (data && data.items) || [];
          list.forEach(function (item) {
            var option = document.createElement('option');
            option.value = String(item.value);
            option.textContent = String(item.label);
            select.insertBefore(option, none);
          });
        })
        .catch(function () {
          select.removeAttribute('data-crm-loaded');
        });
    });
  });

  // The column chooser: tick to show, drag (or Alt+arrow keys) to reorder, saved per user.
  var chooser = root.querySelector('[data-crm-columns]');
  if (!chooser) return;
  var list = chooser.querySelector('[data-crm-columns-list]');
  var error = chooser.querySelector('[data-crm-columns-error]');
  if (window.Sortable) {
    window.Sortable.create(list, {
      handle: '.crm-col-handle',
      animation: 150,
      ghostClass: 'crm-col-ghost',
      chosenClass: 'crm-col-chosen',
      // Mouse and touch events rather than native drag and drop: the same on every device.
      forceFallback: true,
      fallbackOnBody: true,
    });
  }
  list.addEventListener('keydown', function (e) {
    if (!e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
    var item = e.target.closest('li');
    if (!item) return;
    e.preventDefault();
    if (e.key === 'ArrowUp' && item.previousElementSibling) list.insertBefore(item, item.previousElementSibling);
    if (e.key === 'ArrowDown' && item.nextElementSibling) list.insertBefore(item.nextElementSibling, item);
    e.target.focus();
  });

  function save(body, button) {
    button.disabled = true;
    error.classList.add('d-none');
    fetch('/crm/contacts/columns', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': token },
      body: JSON.stringify(body),
    })
      .then(function (res) {
        if (!res.ok) throw new Error('HTTP ' + res.status);
        window.location.reload();
      })
      .catch(function () {
        button.disabled = false;
        error.classList.remove('d-none');
      });
  }
  chooser.querySelector('[data-crm-columns-save]').addEventListener('click', function (e) {
    var columns = [];
    list.querySelectorAll('li[data-col]').forEach(function (item) {
      if (item.querySelector('[data-col-toggle]').checked) columns.push(item.getAttribute('data-col'));
    });
    save({ columns: columns }, e.currentTarget);
  });
  chooser.querySelector('[data-crm-columns-reset]').addEventListener('click', function (e) {
    save({ reset: true }, e.currentTarget);
  });
})();
