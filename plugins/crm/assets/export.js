// The export page: drag the columns into the order of the file (or Alt+arrow keys), tick all or
// none, show the CSV options only for CSV; and on an export's own page, reload once its job ends
// so the download link appears. The form works without this script.
(function () {
  'use strict';
  var status = document.querySelector('[data-crm-export-status]');
  if (status) {
    status.addEventListener('job:progress', function (e) {
      var state = e.detail && e.detail.state;
      if (state === 'done' || state === 'failed' || state === 'cancelled') window.location.reload();
    });
  }

  var root = document.querySelector('[data-crm-export]');
  if (!root) return;
  var form = root.querySelector('[data-crm-export-form]');
  var list = root.querySelector('[data-crm-export-columns]');
  var csv = root.querySelector('[data-crm-csv-options]');

  function syncFormat() {
    var checked = form.querySelector('input[name="format"]:checked');
    csv.classList.toggle('d-none', !checked || checked.value !== 'csv');
  }
  form.addEventListener('change', function (e) {
    if (e.target.name === 'format') syncFormat();
  });
  syncFormat();

  function tickAll(value) {
    list.querySelectorAll('input[name="columns"]').forEach(function (box) { box.checked = value; });
  }
  root.querySelector('[data-crm-export-all]').addEventListener('click', function () { tickAll(true); });
  root.querySelector('[data-crm-export-none]').addEventListener('click', function () { tickAll(false); });

  // The columns go into the file in the order of the checkboxes in the form.
  if (window.Sortable) {
    window.Sortable.create(list, { handle: '[data-crm-export-handle]', animation: 150, forceFallback: true, fallbackOnBody: true });
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
})();
