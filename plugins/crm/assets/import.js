// The import wizard in the browser. The host checks CSRF before a multipart body is parsed, so
// the file is sent with fetch and the token in the X-CSRF-Token header; the preview re-reads the
// file when a read option changes; the progress page follows the host's job progress bar and
// shows the summary when the job ends. No inline scripts: the CSP forbids them.
(function () {
  'use strict';

  function token() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : '';
  }

  // Step 1: the upload.
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-import-upload')) return;
    e.preventDefault();
    var error = form.querySelector('[data-import-error]');
    var busy = form.querySelector('[data-import-busy]');
    var button = form.querySelector('button[type=submit]');
    function fail(message) {
      error.textContent = message || form.getAttribute('data-failed');
      error.hidden = false;
      busy.classList.add('d-none');
      button.disabled = false;
    }
    error.hidden = true;
    busy.classList.remove('d-none');
    button.disabled = true;
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
        if (r.ok && r.body.next) window.location.assign(r.body.next);
        else fail(r.body && r.body.error && r.body.error.message);
      })
      .catch(function () { fail(); });
  });

  // Step 2: a changed read option re-reads the file; the rest of the form goes along unchanged.
  document.addEventListener('change', function (e) {
    var select = e.target;
    if (!(select instanceof HTMLSelectElement) || !select.hasAttribute('data-import-reread')) return;
    var form = select.form;
    var button = form && form.querySelector('[data-import-reread-button]');
    if (button) form.requestSubmit(button);
  });

  // Step 2: one click starts one import.
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-import-settings')) return;
    window.setTimeout(function () {
      form.querySelectorAll('button[type=submit]').forEach(function (b) { b.disabled = true; });
    }, 0);
  });

  // Step 2: choices only another plugin knows (contact classes), loaded from its API.
  document.querySelectorAll('select[data-import-options]').forEach(function (select) {
    var selected = select.getAttribute('data-selected');
    fetch(select.getAttribute('data-import-options'), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (res) { return res.ok ? res.json() : { items: [] }; })
      .then(function (body) {
        var keep = select.querySelector('option[value=""]');
        select.replaceChildren(keep);
        (body.items || []).forEach(function (item) {
          var option = new Option(item.name, String(item.id), false, String(item.id) === selected);
          select.add(option);
        });
      })
      .catch(function () {});
  });

  // Steps 3 and 4: when the job ends, the page is rendered again as the summary.
  var page = document.querySelector('[data-import-record][data-import-running]');
  if (page) {
    var card = page.querySelector('[data-job-progress]');
    var ended = function (s) { return s === 'done' || s === 'failed' || s === 'cancelled'; };
    var reload = function (delay) { window.setTimeout(function () { window.location.reload(); }, delay); };
    if (!card || ended(card.getAttribute('data-job-state'))) {
      // No job yet, or the import is still writing down its end: look again shortly.
      reload(1000);
    } else {
      page.addEventListener('job:progress', function (e) {
        if (ended(e.detail.state)) reload(300);
      });
    }
  }
})();
