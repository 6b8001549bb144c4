// The merge screen: choosing another master reloads the screen for it, so the default values
// (the master's, or the first filled one) are recomputed. Without scripts, the "use as master"
// links do the same.
document.addEventListener('change', (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.name !== 'master_id' || !input.closest('[data-crm-merge-form]')) return;
  const href = input.dataset.href;
  if (href && href.startsWith('/crm/merge?')) window.location.assign(href);
});
