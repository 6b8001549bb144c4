// Administration of tags: "select all", the number of tags selected for a merge, and a live
// preview of a chip while its colour is picked. No inline scripts (CSP).
(function () {
  'use strict';
  var boxes = function () { return document.querySelectorAll('input[data-select]'); };
  var count = document.querySelector('[data-selected-count]');
  function update() {
    var n = 0;
    boxes().forEach(function (b) { if (b.checked) n += 1; });
    if (count) count.textContent = String(n);
  }
  document.addEventListener('change', function (e) {
    var t = e.target;
    if (t.matches('[data-select-all]')) boxes().forEach(function (b) { b.checked = t.checked; });
    if (t.matches('[data-select], [data-select-all]')) update();
  });
  document.addEventListener('input', function (e) {
    var t = e.target;
    if (!t.matches('[data-chip-color]')) return;
    var preview = t.form && t.form.querySelector('[data-chip-preview]');
    if (!preview) return;
    var hex = t.value;
    var rgb = [1, 3, 5].map(function (i) {
      var v = parseInt(hex.slice(i, i + 2), 16) / 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    preview.style.setProperty('--tag-bg', hex);
    preview.style.setProperty('--tag-fg', 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2] > 0.3 ? '#212529' : '#ffffff');
  });
  update();
})();
