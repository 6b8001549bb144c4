// The tag input of the client card's header, progressively enhanced (it works without this file):
// - when the card refreshes its header (after any change), what is being typed into the tag
//   input stays, and its suggestions come back;
// - arrow keys move through the suggestions, Escape closes them.
// Loaded by the slot itself (the card page does not know about it), so it guards against running
// twice. No inline scripts (CSP); user text is only ever set as a value.
/* global htmx */
(function () {
  'use strict';
  if (window.__tagsSlot) return;
  window.__tagsSlot = true;

  // What was being typed into the tag inputs of each element being swapped, until that swap
  // settles. Keyed by the swap's target: the suggestion boxes swap too, in between, and must not
  // wipe what a header refresh is carrying over.
  var typedIn = new Map(); // target -> [{id, value, focused}]

  document.addEventListener('htmx:beforeSwap', function (e) {
    var target = e.detail.target;
    // Our own answers (the slot itself) bring a fresh input on purpose; a target no longer in the
    // page (an older refresh) holds nothing live.
    if (!target || target.classList.contains('tags-slot') || !document.body.contains(target)) return;
    var typed = [];
    target.querySelectorAll('input.tags-input').forEach(function (input) {
      if (input.value) typed.push({ id: input.id, value: input.value, focused: document.activeElement === input });
    });
    if (typed.length) typedIn.set(target, typed);
  });

  document.addEventListener('htmx:afterSwap', function (e) {
    (typedIn.get(e.detail.target) || []).forEach(function (t) {
      var input = document.getElementById(t.id); // the same id means the same tags
      if (input && !input.value) input.value = t.value;
    });
  });

  document.addEventListener('htmx:afterSettle', function (e) {
    var restored = typedIn.get(e.detail.target) || [];
    typedIn.delete(e.detail.target);
    restored.forEach(function (t) {
      var input = document.getElementById(t.id);
      if (!input || !t.focused) return;
      // The person was typing here: give the focus back (a swap may have dropped it), and ask
      // for the suggestions of what is typed (a focus restored by htmx asked with an empty input).
      if (document.activeElement !== input) input.focus();
      if (typeof htmx !== 'undefined') htmx.trigger(input, 'focus');
    });
  });

  function itemsOf(form) {
    return Array.prototype.slice.call(form.querySelectorAll('.tags-suggest-item'));
  }

  document.addEventListener('keydown', function (e) {
    var form = e.target.closest && e.target.closest('.tags-add');
    if (!form) return;
    var items = itemsOf(form);
    var input = form.querySelector('.tags-input');
    var at = items.indexOf(e.target);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!items.length) return;
      e.preventDefault();
      var next = e.key === 'ArrowDown' ? at + 1 : at - 1;
      if (next >= items.length) next = 0;
      if (next < 0) { input.focus(); return; }
      items[next].focus();
    } else if (e.key === 'Escape') {
      var box = form.querySelector('.tags-suggest');
      if (box && box.children.length) {
        e.preventDefault();
        box.replaceChildren();
        input.focus();
      }
    }
  });
})();
