// Draws the parks pages' charts (bars and lines) from the JSON the page carries.
(function () {
  "use strict";
  var node = document.getElementById("chart-data");
  if (!node || typeof echarts === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var charts = [];
  data.charts.forEach(function (c) {
    var el = document.getElementById(c.id);
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: c.series.map(function (s) { return s.name; }) },
      grid: { containLabel: true, left: 8, right: 12, bottom: 8 },
      xAxis: { type: "category", data: c.categories, axisLabel: { interval: "auto", rotate: c.categories.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", name: c.unit, max: c.unit === "%" ? 100 : null },
      series: c.series.map(function (s) { return { name: s.name, type: c.type, data: s.data }; })
    });
    el.setAttribute("data-drawn", String(c.series.reduce(function (n, s) { return n + s.data.length; }, 0)));
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (ch) { ch.resize(); }); });
}());
