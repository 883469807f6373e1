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

// Filter boxes (details[data-open-wide]) stand open on a desk and folded on a phone.
document.addEventListener("DOMContentLoaded", function () {
  if (window.matchMedia("(min-width: 700px)").matches) {
    var boxes = document.querySelectorAll("details[data-open-wide]");
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].open = true;
    }
  }
});
