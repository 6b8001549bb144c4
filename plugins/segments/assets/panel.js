// The Segments panel: "save the current filter" takes the list's query string as it is when the
// form is sent (the live search changes the address without reloading the panel).
(function () {
  'use strict';
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-segments-save')) return;
    var search = window.location.search.replace(/^\?/, '');
    form.querySelector('[data-segments-query]').value = search;
    form.querySelector('[data-segments-back]').value = window.location.pathname + (search ? '?' + search : '');
  });
})();
