/* The big screen (数据大屏): fetch the figures every 30 seconds and update the charts in place.
   ECharts is served locally (yichuang/static/yichuang/vendor/echarts). No personal data reaches
   the public version; the staff version adds department ids for drill-down links. */
(function () {
  "use strict";
  var REFRESH_MS = 30000;
  var body = document.body;
  var url = body.getAttribute("data-url");
  var staff = body.getAttribute("data-staff") === "1";
  var statsUrl = body.getAttribute("data-stats-url");
  var alarmsUrl = body.getAttribute("data-alarms-url");
  var timeZone = body.getAttribute("data-tz") || undefined;
  var COLORS = { received: "#4da3ff", closed: "#3fb27f", yellow: "#b7791f", red: "#b42318", overdue: "#7a1a12", rate: "#7cc4a4" };
  var TEXT = "#d7e2ee";
  var MUTED = "#8da2b8";
  var L = JSON.parse(document.getElementById("scr-labels").textContent);
  var charts = {};
  var state = { payload: null, errors: 0 };
  window.supDashboard = { charts: charts, state: state, refresh: refresh };

  function font() {
    // Readable from five metres: the type grows with the screen.
    return Math.max(14, Math.round(window.innerWidth / 90));
  }

  function chart(id) {
    if (!charts[id]) {
      charts[id] = echarts.init(document.getElementById(id), null, { renderer: "canvas" });
      if (staff) {
        charts[id].on("click", function (params) { drill(id, params); });
      }
    }
    return charts[id];
  }

  function drill(id, params) {
    var list = charts[id].supDepartments;
    var dept = list && list[params.dataIndex];
    if (!dept || dept.id === undefined) { return; }
    if (id === "chart-alarms") {
      window.location.href = alarmsUrl + "?department=" + dept.id;
    } else {
      window.location.href = statsUrl + "?preset=last_30&slice=item&department=" + dept.id;
    }
  }

  function axisStyle() {
    var size = font();
    return {
      axisLabel: { color: TEXT, fontSize: size },
      axisLine: { lineStyle: { color: "#3a5068" } },
      splitLine: { lineStyle: { color: "#1d3247" } },
      nameTextStyle: { color: MUTED, fontSize: size * 0.8 }
    };
  }

  function base() {
    var size = font();
    return {
      backgroundColor: "transparent",
      textStyle: { color: TEXT, fontSize: size },
      legend: { top: 0, textStyle: { color: TEXT, fontSize: size }, itemWidth: size, itemHeight: size * 0.7 },
      grid: { left: 8, right: 24, top: size * 2.4, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", textStyle: { fontSize: size } },
      animationDuration: 600
    };
  }

  function categoryAxis(depts) {
    var axis = Object.assign({ type: "category", data: depts.map(function (d) { return d.name; }) }, axisStyle());
    axis.axisLabel = Object.assign({}, axis.axisLabel, { interval: 0 });
    return axis;
  }

  function topDepartments(p, n) { return p.departments.slice(0, n); }

  function drawDepartments(p) {
    var depts = topDepartments(p, 10).slice().reverse();
    var option = base();
    option.yAxis = categoryAxis(depts);
    option.xAxis = Object.assign({ type: "value", minInterval: 1 }, axisStyle());
    option.series = [
      { name: L.received, type: "bar", data: depts.map(function (d) { return d.received_30d; }), itemStyle: { color: COLORS.received } },
      { name: L.closed, type: "bar", data: depts.map(function (d) { return d.closed_30d; }), itemStyle: { color: COLORS.closed } }
    ];
    chart("chart-departments").setOption(option, true);
    charts["chart-departments"].supDepartments = depts;
  }

  function drawTrend(p) {
    var option = base();
    option.xAxis = Object.assign({ type: "category", data: p.trend.days.map(function (d) { return d.slice(5); }) }, axisStyle());
    option.yAxis = Object.assign({ type: "value", minInterval: 1 }, axisStyle());
    option.series = [
      { name: L.received, type: "line", symbolSize: 6, data: p.trend.received, itemStyle: { color: COLORS.received }, lineStyle: { width: 3 } },
      { name: L.closed, type: "line", symbolSize: 6, data: p.trend.closed, itemStyle: { color: COLORS.closed }, lineStyle: { width: 3 } }
    ];
    chart("chart-trend").setOption(option, true);
  }

  function drawOnTime(p) {
    var depts = topDepartments(p, 10).filter(function (d) { return d.on_time_rate_30d !== null; }).reverse();
    var option = base();
    option.legend = { show: false };
    option.grid.top = 8;
    option.yAxis = categoryAxis(depts);
    option.xAxis = Object.assign({ type: "value", min: 0, max: 100, interval: 50, axisLabel: { color: TEXT, fontSize: font(), formatter: "{value}%" } }, { axisLine: axisStyle().axisLine, splitLine: axisStyle().splitLine });
    option.series = [{
      name: L.on_time, type: "bar", data: depts.map(function (d) { return d.on_time_rate_30d; }),
      itemStyle: { color: COLORS.rate }, label: { show: true, position: "insideRight", color: "#0b1826", fontSize: font(), fontWeight: "bold", formatter: "{c}%" }
    }];
    if (!depts.length) {
      option.graphic = { type: "text", left: "center", top: "middle", style: { text: L.no_closed, fill: MUTED, fontSize: font() * 1.2 } };
    }
    chart("chart-ontime").setOption(option, true);
    charts["chart-ontime"].supDepartments = depts;
  }

  function drawAlarms(p) {
    var depts = p.departments.filter(function (d) { return d.yellow + d.red + d.overdue > 0; }).slice(0, 10).reverse();
    var option = base();
    option.yAxis = categoryAxis(depts);
    option.xAxis = Object.assign({ type: "value", minInterval: 1 }, axisStyle());
    option.series = [
      { name: L.yellow, type: "bar", stack: "a", data: depts.map(function (d) { return d.yellow; }), itemStyle: { color: COLORS.yellow } },
      { name: L.red, type: "bar", stack: "a", data: depts.map(function (d) { return d.red; }), itemStyle: { color: COLORS.red } },
      { name: L.overdue, type: "bar", stack: "a", data: depts.map(function (d) { return d.overdue; }), itemStyle: { color: COLORS.overdue } }
    ];
    if (!depts.length) {
      option.graphic = { type: "text", left: "center", top: "middle", style: { text: L.no_alarms, fill: MUTED, fontSize: font() * 1.2 } };
    }
    chart("chart-alarms").setOption(option, true);
    charts["chart-alarms"].supDepartments = depts;
  }

  function setText(selector, attr, values, suffix) {
    document.querySelectorAll(selector).forEach(function (el) {
      var value = values[el.getAttribute(attr)];
      el.textContent = value === null || value === undefined ? "—" : value + (suffix || "");
    });
  }

  function panel(id, listId, figures) {
    var section = document.getElementById(id);
    if (!figures) { section.hidden = true; return; }
    var list = document.getElementById(listId);
    list.innerHTML = "";
    (figures.items || []).forEach(function (item) {
      var row = document.createElement("div");
      var dt = document.createElement("dt");
      var dd = document.createElement("dd");
      dt.textContent = item.label;
      dd.textContent = item.value;
      if (item.key) { dd.setAttribute("data-rating", item.key); }
      row.appendChild(dt); row.appendChild(dd); list.appendChild(row);
    });
    var note = section.querySelector(".scr-note");
    if (figures.note) {
      if (!note) { note = document.createElement("p"); note.className = "scr-note"; section.appendChild(note); }
      note.textContent = figures.note;
    } else if (note) { note.remove(); }
    section.hidden = false;
  }

  function render(p) {
    state.payload = p;
    setText("[data-figure]", "data-figure", p.figures);
    setText("[data-rate]", "data-rate", p.rates_30d, "%");
    // The panels first: showing them changes the grid's columns, and the charts take the width they find.
    panel("panel-hall", "hall-figures", p.hall);
    panel("panel-ratings", "ratings-figures", p.ratings);
    drawDepartments(p);
    drawTrend(p);
    drawOnTime(p);
    drawAlarms(p);
    Object.keys(charts).forEach(function (id) { charts[id].resize(); });
    var stamp = p.as_of ? p.as_of.slice(11, 16) : "—";
    document.getElementById("scr-status").textContent = L.updated.replace("{t}", stamp);
    body.setAttribute("data-loaded", String(Date.now()));
  }

  function refresh() {
    return fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (payload) { state.errors = 0; render(payload); })
      .catch(function () {
        state.errors += 1;
        document.getElementById("scr-status").textContent = L.offline;
      });
  }

  function tick() {
    // The hall's time, whatever the time zone of the computer driving the screen.
    var now = new Date();
    document.getElementById("scr-date").textContent = now.toLocaleDateString(document.documentElement.lang || "zh-CN", { timeZone: timeZone, year: "numeric", month: "long", day: "numeric", weekday: "long" });
    document.getElementById("scr-time").textContent = now.toLocaleTimeString(document.documentElement.lang || "zh-CN", { timeZone: timeZone, hour12: false });
  }

  function start() {
    tick();
    setInterval(tick, 1000);
    refresh();
    setInterval(refresh, REFRESH_MS);
    window.addEventListener("resize", function () {
      Object.keys(charts).forEach(function (id) { charts[id].resize(); });
      if (state.payload) { render(state.payload); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
