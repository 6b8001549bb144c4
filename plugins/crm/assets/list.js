// The client list: live search, clean filter URLs and the column chooser. The page works without
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
