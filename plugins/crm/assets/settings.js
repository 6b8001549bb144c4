// CRM settings pages: drag to reorder, the field form's type-dependent parts, the status colour
// preview and the standard-field switches. Pages work without it; this only makes them nicer.
(function () {
  'use strict';
  var meta = document.querySelector('meta[name="csrf-token"]');
  var token = meta ? meta.getAttribute('content') : '';

  // Drag to reorder: <tbody|ul data-sortable="url"> of rows with data-id, dragged by [data-drag-handle].
  function initSortable(list) {
    if (typeof window.Sortable !== 'function') return;
    var status = document.querySelector('[data-order-status]');
    var timer = null;
    function say(ok) {
      if (!status) return;
      status.textContent = ok ? status.getAttribute('data-saved') : status.getAttribute('data-failed');
      status.className = 'small ' + (ok ? 'text-success' : 'text-danger');
      status.insertAdjacentHTML('afterbegin', ok ? '<i class="bi bi-check2 me-1"></i>' : '<i class="bi bi-exclamation-triangle me-1"></i>');
      clearTimeout(timer);
      if (ok) timer = setTimeout(function () { status.textContent = ''; }, 2500);
    }
    window.Sortable.create(list, {
      handle: '[data-drag-handle]',
      animation: 150,
      ghostClass: 'table-primary',
      onEnd: function (e) {
        if (e.oldIndex === e.newIndex) return;
        var ids = Array.prototype.map.call(list.querySelectorAll(':scope > [data-id]'), function (row) {
          return Number(row.getAttribute('data-id'));
        });
        list.setAttribute('data-saving', '1');
        fetch(list.getAttribute('data-sortable'), {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': token },
          body: JSON.stringify({ ids: ids }),
        })
          .then(function (res) { say(res.ok); })
          .catch(function () { say(false); })
          .finally(function () { list.removeAttribute('data-saving'); });
      },
    });
  }

  // The field form: options only for select types; a key suggested from the English label.
  function initFieldForm(form) {
    var type = form.querySelector('[data-field-type]');
    var group = form.querySelector('[data-options-group]');
    if (type && group) {
      var sync = function () { group.hidden = !(type.value === 'select' || type.value === 'multi_select'); };
      type.addEventListener('change', sync);
      sync();
    }
    var key = form.querySelector('[data-field-key]');
    var en = form.querySelector('[data-label="en"]');
    if (key && en) {
      var touched = key.value !== '';
      key.addEventListener('input', function () { touched = key.value !== ''; });
      en.addEventListener('input', function () {
        if (touched) return;
        key.value = en.value
          .normalize('NFD').replace(/[\u0300-\u036f]/g, '')
          .toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^[^a-z]+/, '').replace(/_+$/, '')
          .slice(0, 64);
      });
    }
  }

  // Black or white text on a colour, whichever reads better (the same rule as the server's).
  function textOn(hex) {
    var m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex || '');
    if (!m) return '#fff';
    var yiq = (parseInt(m[1], 16) * 299 + parseInt(m[2], 16) * 587 + parseInt(m[3], 16) * 114) / 1000;
    return yiq >= 150 ? '#212529' : '#fff';
  }

  // Status colour: a live badge that follows the name and the colour.
  function initBadge(form) {
    var badge = form.querySelector('[data-badge-preview]');
    var color = form.querySelector('[data-color-input]');
    var name = form.querySelector('[data-badge-source]');
    if (!badge || !color) return;
    var paint = function () {
      badge.style.backgroundColor = color.value;
      badge.style.color = textOn(color.value);
      badge.textContent = (name && name.value.trim()) || badge.getAttribute('data-placeholder');
    };
    color.addEventListener('input', paint);
    if (name) name.addEventListener('input', paint);
    form.querySelectorAll('[data-swatch]').forEach(function (swatch) {
      swatch.addEventListener('click', function () {
        color.value = swatch.getAttribute('data-swatch');
        paint();
      });
    });
    paint();
  }

  // Standard fields: the "Hidden" badge and a muted row follow the switch before saving.
  function initHideSwitches(root) {
    var count = root.querySelector('[data-hidden-count]');
    root.querySelectorAll('[data-hide-switch]').forEach(function (input) {
      var row = input.closest('[data-field]');
      var badge = row && row.querySelector('[data-hidden-badge]');
      var texts = row ? row.querySelectorAll('[data-field-text]') : [];
      var sync = function () {
        if (badge) badge.hidden = !input.checked;
        texts.forEach(function (t) { t.classList.toggle('opacity-50', input.checked); });
      };
      input.addEventListener('change', function () {
        sync();
        if (count) {
          count.textContent = count.getAttribute('data-unsaved');
          count.className = 'small text-warning-emphasis fw-semibold ms-2';
        }
      });
      sync();
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('[data-sortable]').forEach(initSortable);
    document.querySelectorAll('[data-field-form]').forEach(initFieldForm);
    document.querySelectorAll('[data-testid="dictionary-form"]').forEach(initBadge);
    initHideSwitches(document);
  });
})();
