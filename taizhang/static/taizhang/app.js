// Behaviour for every page, from our own static files (the Content-Security-Policy allows no
// inline script): a select marked data-autosubmit submits its form when changed.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el && el.matches && el.matches("select[data-autosubmit]") && el.form) {
    el.form.submit();
  }
});
