// The contact photo on the card. The host checks CSRF before a multipart body is parsed, so the
// upload is sent with fetch and the token in the X-CSRF-Token header; a refused file shows the
// server's translated reason under the name. Event delegation: the header is re-rendered by htmx.
(function () {
  'use strict';

  function token() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : '';
  }

  function showError(header, message) {
    var box = header && header.querySelector('[data-photo-error]');
    if (!box) return;
    box.textContent = message;
    box.hidden = !message;
  }

  document.addEventListener('change', function (e) {
    var input = e.target;
    if (!input.matches || !input.matches('[data-photo-input]') || !input.files || !input.files.length) return;
    var form = input.closest('form');
    var header = document.getElementById('card-header');
    var from = header ? header.dataset.version : '';
    showError(header, '');
    fetch(form.action, {
      method: 'POST',
      body: new FormData(form),
      credentials: 'same-origin',
      headers: { 'X-CSRF-Token': token(), Accept: 'application/json' },
    })
      .then(function (res) {
        return res.json().then(
          function (body) { return { ok: res.ok, body: body }; },
          function () { return { ok: false, body: {} }; }
        );
      })
      .then(function (r) {
        input.value = '';
        if (!r.ok) {
          showError(header, (r.body && r.body.error && r.body.error.message) || form.dataset.failed || 'Error');
          return;
        }
        // The card's usual refresh: open editors get the new version, header and history reload.
        if (document.getElementById('crm-card')) {
          document.body.dispatchEvent(new CustomEvent('crm:changed', { detail: { version: r.body.version, from: Number(from), field: 'photo' } }));
        } else {
          window.location.reload();
        }
      })
      .catch(function () {
        input.value = '';
        showError(header, form.dataset.failed || 'Error');
      });
  });
})();
