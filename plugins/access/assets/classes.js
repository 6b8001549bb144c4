// The classes admin page: drag to reorder (saved at once), colour swatches and a live badge preview.
// The page works without it; this only makes it nicer.
(function () {
  'use strict';
  var meta = document.querySelector('meta[name="csrf-token"]');
  var token = meta ? meta.getAttribute('content') : '';

  var list = document.querySelector('[data-sortable]');
  var status = document.querySelector('[data-order-status]');
  if (list && typeof window.Sortable === 'function') {
    window.Sortable.create(list, {
      handle: '[data-drag-handle]',
      animation: 150,
      ghostClass: 'list-group-item-primary',
      onEnd: function (e) {
        if (e.oldIndex === e.newIndex) return;
        var ids = Array.prototype.map.call(list.querySelectorAll(':scope > [data-id]'), function (row) { return Number(row.getAttribute('data-id')); });
        fetch(list.getAttribute('data-sortable'), {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': token },
          body: JSON.stringify({ ids: ids }),
        })
          .then(function (res) { say(res.ok); })
          .catch(function () { say(false); });
      },
    });
  }
  function say(ok) {
    if (!status) return;
    status.textContent = ok ? status.getAttribute('data-saved') : status.getAttribute('data-failed');
    status.className = 'small ' + (ok ? 'text-success' : 'text-danger');
  }

  var form = document.querySelector('[data-class-form]');
  if (!form) return;
  var color = form.querySelector('[data-color-input]');
  var name = form.querySelector('[data-name-input]');
  var preview = form.querySelector('[data-badge-preview]');
  function textOn(hex) {
    var c = [1, 3, 5].map(function (i) {
      var v = parseInt(hex.slice(i, i + 2), 16) / 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2] > 0.45 ? '#212529' : '#ffffff';
  }
  function update() {
    if (!preview) return;
    preview.textContent = (name && name.value.trim()) || preview.getAttribute('data-placeholder');
    if (color && /^#[0-9a-f]{6}$/i.test(color.value)) {
      preview.style.backgroundColor = color.value;
      preview.style.color = textOn(color.value);
    }
  }
  form.querySelectorAll('[data-swatch]').forEach(function (b) {
    b.addEventListener('click', function () {
      color.value = b.getAttribute('data-swatch');
      update();
    });
  });
  if (color) color.addEventListener('input', update);
  if (name) name.addEventListener('input', update);
})();
