// Draws the peer comparison's bar chart from the JSON the page carries.
(function () {
  "use strict";
  var el = document.getElementById("chart-compare");
  var source = document.getElementById("compare-data");
  if (!el || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  el.style.height = Math.max(220, data.names.length * 36 + 60) + "px";
  var chart = echarts.init(el, null, { renderer: "canvas" });
  chart.setOption({
    tooltip: { formatter: "{b}: {c} " + data.unit }, grid: { containLabel: true, left: 10, right: 56 },
    xAxis: { type: "value", name: data.unit },
    yAxis: { type: "category", inverse: true, axisLabel: { interval: 0 }, data: data.names },
    series: [{ type: "bar", barMaxWidth: 22, label: { show: true, position: "right" }, data: data.values }]
  });
  el.setAttribute("data-drawn", String(data.values.length));
  window.addEventListener("resize", function () { chart.resize(); });
})();
