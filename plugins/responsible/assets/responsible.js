// The reassign form: the user whose clients move cannot also be one who takes them.
(function () {
  'use strict';
  var form = document.querySelector('[data-reassign-form]');
  if (!form) return;
  var from = form.querySelector('[data-reassign-from]');
  function sync() {
    form.querySelectorAll('[data-target]').forEach(function (label) {
      var same = label.getAttribute('data-target') === from.value;
      label.classList.toggle('d-none', same);
      if (same) label.querySelector('input').checked = false;
    });
  }
  from.addEventListener('change', sync);
  sync();
})();
