// Progressive enhancement for every page. No inline scripts: the CSP forbids them.
(function () {
  'use strict';
  var csrf = document.querySelector('meta[name="csrf-token"]');
  var token = csrf ? csrf.getAttribute('content') : '';

  // htmx requests carry the CSRF token like forms do.
  document.addEventListener('htmx:configRequest', function (e) {
    e.detail.headers['X-CSRF-Token'] = token;
  });

  // <form data-confirm="..."> asks before submitting (deletes and other irreversible actions).
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) e.preventDefault();
  });

  // Live progress of background jobs, pushed by the server with server-sent events.
  function follow(card) {
    var id = card.getAttribute('data-job-progress');
    var bar = card.querySelector('.progress-bar');
    var progress = card.querySelector('.progress');
    var label = card.querySelector('[data-job-label]');
    var count = card.querySelector('[data-job-count]');
    var error = card.querySelector('[data-job-error]');
    var cancel = card.querySelector('[data-job-cancel]');
    var names = {};
    card.querySelectorAll('template[data-job-states]').forEach(function (t) {
      t.content.querySelectorAll('[data-state]').forEach(function (s) { names[s.getAttribute('data-state')] = s.textContent; });
    });
    function render(job) {
      var percent = job.percent == null ? 0 : job.percent;
      bar.style.width = percent + '%';
      progress.setAttribute('aria-valuenow', String(percent));
      bar.classList.toggle('progress-bar-animated', job.state === 'running');
      bar.classList.toggle('bg-success', job.state === 'done');
      bar.classList.toggle('bg-danger', job.state === 'failed');
      label.textContent = names[job.state] || job.state;
      count.textContent = job.processed + (job.total ? ' / ' + job.total : '');
      error.textContent = job.error || '';
      card.setAttribute('data-job-state', job.state);
      if (cancel) cancel.classList.toggle('d-none', !(job.state === 'queued' || job.state === 'running'));
      card.dispatchEvent(new CustomEvent('job:progress', { bubbles: true, detail: job }));
    }
    var source = new EventSource('/api/v1/jobs/' + encodeURIComponent(id) + '/events');
    source.addEventListener('progress', function (e) {
      var job = JSON.parse(e.data);
      render(job);
      if (job.state === 'done' || job.state === 'failed' || job.state === 'cancelled') source.close();
    });
    if (cancel) {
      cancel.addEventListener('click', function () {
        cancel.disabled = true;
        fetch('/api/v1/jobs/' + encodeURIComponent(id), { method: 'DELETE', headers: { 'X-CSRF-Token': token, Accept: 'application/json' }, credentials: 'same-origin' })
          .finally(function () { cancel.disabled = false; });
      });
    }
  }
  function init(root) {
    root.querySelectorAll('[data-job-progress]').forEach(function (card) {
      if (card.dataset.following) return;
      card.dataset.following = '1';
      var state = card.getAttribute('data-job-state');
      if (state === 'queued' || state === 'running') follow(card);
    });
  }
  document.addEventListener('DOMContentLoaded', function () { init(document); });
  document.addEventListener('htmx:load', function (e) { init(e.target); });
})();
