// The console's only script (served from this server; the CSP allows no other). Progressive
// enhancement: every page works without it, the server checks everything again.

document.addEventListener('DOMContentLoaded', () => {
  // Erase stays disabled until the call id is typed exactly (the server checks it too).
  for (const input of document.querySelectorAll('input[data-confirm]')) {
    const button = input.form?.querySelector('button[type="submit"]');
    if (!button) continue;
    const sync = () => {
      button.disabled = input.value !== input.dataset.confirm;
    };
    input.addEventListener('input', sync);
    sync();
  }
  // An action's result is announced (role=status) and takes the focus, so keyboard users land on it.
  const outcome = document.getElementById('outcome');
  if (outcome) {
    outcome.tabIndex = -1;
    outcome.focus();
  }
});
