// Behaviour for every page, from our own static files (the Content-Security-Policy allows no
// inline script): a select marked data-autosubmit submits its form when changed.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el && el.matches && el.matches("select[data-autosubmit]") && el.form) {
    el.form.submit();
  }
});

// A checkbox marked data-select-all="NAME" ticks or clears every checkbox named NAME in its form.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el && el.matches && el.matches("input[data-select-all]") && el.form) {
    var boxes = el.form.querySelectorAll('input[type=checkbox][name="' + el.getAttribute("data-select-all") + '"]');
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].checked = el.checked;
    }
  }
});
