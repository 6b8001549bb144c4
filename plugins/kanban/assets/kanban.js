// The board's drag and drop: a card dropped in another column asks the server to change the
// contact's status (with the version the card was drawn with). A refusal (stale version, no
// right) puts the card back and says why in a toast.
(function () {
  'use strict';
  var board = document.querySelector('[data-kanban]');
  if (!board) return;
  var csrf = document.querySelector('meta[name="csrf-token"]');
  var token = csrf ? csrf.getAttribute('content') : '';
  var toasts = board.querySelector('[data-kanban-toasts]');
  var live = board.querySelector('[data-kanban-live]');

  // The responsible and kind selects apply at once.
  board.querySelectorAll('[data-kanban-autosubmit]').forEach(function (select) {
    select.addEventListener('change', function () { select.form.submit(); });
  });

  function toast(message) {
    var el = document.createElement('div');
    el.className = 'toast align-items-center text-bg-danger border-0';
    el.setAttribute('role', 'alert');
    el.setAttribute('data-testid', 'kanban-toast');
    var row = document.createElement('div');
    row.className = 'd-flex';
    var body = document.createElement('div');
    body.className = 'toast-body';
    body.textContent = message;
    var close = document.createElement('button');
    close.type = 'button';
    close.className = 'btn-close btn-close-white me-2 m-auto';
    close.setAttribute('data-bs-dismiss', 'toast');
    close.setAttribute('aria-label', board.getAttribute('data-close') || '');
    row.appendChild(body);
    row.appendChild(close);
    el.appendChild(row);
    toasts.appendChild(el);
    el.addEventListener('hidden.bs.toast', function () { el.remove(); });
    if (window.bootstrap && window.bootstrap.Toast) new window.bootstrap.Toast(el, { delay: 6000 }).show();
    else el.classList.add('show');
  }

  function columnOf(list) { return list.closest('[data-kanban-column]'); }

  function addToCount(list, delta) {
    var count = columnOf(list).querySelector('[data-kanban-count]');
    var total = Number(count.getAttribute('data-total')) + delta;
    count.setAttribute('data-total', String(total));
    // A capped total ("10000+") stays as the server wrote it.
    if (/^\d+$/.test(count.textContent.trim())) count.textContent = String(total);
  }

  /** Puts the card at `index` among the cards of `list` (before the empty-column note). */
  function place(card, list, index) {
    var cards = list.querySelectorAll(':scope > [data-kanban-card]');
    var others = Array.prototype.filter.call(cards, function (c) { return c !== card; });
    var before = others[index] || list.querySelector(':scope > .kanban-empty');
    list.insertBefore(card, before);
  }

  function listFor(statusId) {
    return board.querySelector('[data-kanban-list][data-status-id="' + (statusId == null ? '' : String(statusId)) + '"]');
  }

  function moved(e) {
    if (e.from === e.to) return;
    var card = e.item;
    var from = e.from;
    var to = e.to;
    var raw = to.getAttribute('data-status-id');
    addToCount(from, -1);
    addToCount(to, 1);
    card.classList.add('kanban-card-busy');
    function undo(message, current) {
      addToCount(to, -1);
      // Back where it came from, or into the column of the status it has now.
      var target = (current && listFor(current.status_id)) || from;
      addToCount(target, 1);
      place(card, target, target === from ? e.oldIndex : 0);
      if (current) card.setAttribute('data-version', String(current.version));
      card.classList.remove('kanban-card-failed');
      void card.offsetWidth;
      card.classList.add('kanban-card-failed');
      toast(message);
    }
    fetch('/api/v1/kanban/cards/' + encodeURIComponent(card.getAttribute('data-id')) + '/move', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': token },
      body: JSON.stringify({ status_id: raw ? Number(raw) : null, version: Number(card.getAttribute('data-version')) }),
    })
      .then(function (res) {
        return res.json().then(function (body) { return { ok: res.ok, body: body }; }, function () { return { ok: false, body: null }; });
      })
      .then(function (r) {
        card.classList.remove('kanban-card-busy');
        if (r.ok) {
          card.setAttribute('data-version', String(r.body.version));
          live.textContent = (board.getAttribute('data-moved') || '')
            .replace('{name}', r.body.name)
            .replace('{status}', columnOf(to).querySelector('.kanban-column-title').textContent);
          return;
        }
        var error = r.body && r.body.error;
        undo(error && error.message ? error.message : board.getAttribute('data-network-error'), error && error.details && error.details.current);
      })
      .catch(function () {
        card.classList.remove('kanban-card-busy');
        undo(board.getAttribute('data-network-error'), null);
      });
  }

  if (typeof window.Sortable !== 'function' || board.getAttribute('data-can-move') !== '1') return;
  board.querySelectorAll('[data-kanban-list]').forEach(function (list) {
    window.Sortable.create(list, {
      group: 'kanban',
      // Columns are ordered by last change: only moving between columns means something.
      sort: false,
      draggable: '[data-kanban-card]',
      animation: 150,
      ghostClass: 'kanban-ghost',
      chosenClass: 'kanban-chosen',
      dragClass: 'kanban-drag',
      // Mouse and touch events rather than native drag and drop: the same on every device.
      forceFallback: true,
      fallbackOnBody: true,
      fallbackTolerance: 4,
      // On a phone a short press scrolls; a held one drags.
      delay: 180,
      delayOnTouchOnly: true,
      onEnd: moved,
    });
  });
})();
