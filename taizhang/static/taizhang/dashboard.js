// Draws the dashboard's charts from the JSON the page carries; a click opens the projects behind.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var L = data.labels;
  var charts = {};
  function drill(metric) { if (metric) { window.location.href = data.drill + encodeURIComponent(metric); } }
  function make(id, option, onClick) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    if (onClick) { chart.on("click", onClick); }
    charts[id] = chart;
    el.setAttribute("data-drawn", String(option.series.reduce(function (n, s) { return n + (s.data ? s.data.length : 0); }, 0)));
  }
  make("chart-funnel", {
    tooltip: { trigger: "item", formatter: function (p) { return p.name + ":" + p.value + " " + L.funnel + " " + p.data.investment.toFixed(2) + " " + L.wan; } },
    series: [{ type: "funnel", sort: "none", left: "8%", width: "62%", top: 10, bottom: 10, label: { formatter: "{b} {c}" },
      data: data.funnel.map(function (d) { return { name: d.name, value: d.value, investment: d.investment, metric: d.metric }; }) }]
  }, function (p) { drill(p.data.metric); });
  make("chart-gauge", {
    series: [{ type: "gauge", min: 0, max: Math.max(120, Math.ceil(data.gauge.rate / 20) * 20),
      progress: { show: true }, detail: { formatter: "{value}%" },
      data: [{ value: data.gauge.rate, name: L.timing + " " + data.gauge.timing + "%", metric: "completion_rate" }] }]
  }, function () { drill("completion_rate"); });
  make("chart-curve", {
    tooltip: { trigger: "axis" }, legend: { data: [L.done, L.plan] }, grid: { containLabel: true, left: 10, right: 20 },
    xAxis: { type: "category", data: data.curve.months }, yAxis: { type: "value", name: L.wan },
    series: [{ name: L.done, type: "line", data: data.curve.done, areaStyle: {} },
             { name: L.plan, type: "line", data: data.curve.plan, lineStyle: { type: "dashed" } }]
  }, function () { drill("completed"); });
  // Every district (or chain) gets its own labelled bar with its rate: the chart grows with them.
  var rankingBox = document.getElementById("chart-ranking");
  if (rankingBox) {
    rankingBox.style.height = Math.max(280, data.ranking.length * 30 + 60) + "px";
  }
  make("chart-ranking", {
    tooltip: { formatter: "{b}: {c}%" }, grid: { containLabel: true, left: 10, right: 56 },
    xAxis: { type: "value", name: "%" },
    yAxis: { type: "category", inverse: true, axisLabel: { interval: 0 },
             data: data.ranking.map(function (d) { return d.name; }) },
    series: [{ type: "bar", barMaxWidth: 22, label: { show: true, position: "right", formatter: "{c}%" },
               data: data.ranking.map(function (d) { return { value: d.rate, metric: d.metric }; }) }]
  }, function (p) { drill(p.data.metric); });
  make("chart-warnings", {
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["40%", "70%"], label: { formatter: "{b} {c}" },
      data: data.warnings.map(function (d) { return { name: d.name, value: d.value, metric: d.metric, itemStyle: { color: d.color } }; }) }]
  }, function (p) { drill(p.data.metric); });
  window.taizhangCharts = charts;
  window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
})();
