/* The command centre: one ECharts chart per /api/command/<figure>, every value clickable to
   the records behind it, and a live feed polled from /api/command/feed?after=<cursor>
   (short requests only: nothing holds a server worker). */
(function () {
  "use strict";
  var root = document.getElementById("command-centre");
  if (!root || !window.echarts) return;
  var api = root.dataset.api;
  var pollMs = (parseInt(root.dataset.poll, 10) || 5) * 1000;
  var I18N = window.COMMAND_I18N || { summary: {}, percent: [] };
  var charts = {};
  window.commandCharts = charts;

  function query() {
    var s = document.getElementById("period-start").value;
    var e = document.getElementById("period-end").value;
    var q = [];
    if (s) q.push("start=" + encodeURIComponent(s));
    if (e) q.push("end=" + encodeURIComponent(e));
    return q.length ? "?" + q.join("&") : "";
  }

  function get(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      });
  }

  var base = {
    grid: { left: 48, right: 16, top: 36, bottom: 40, containLabel: true },
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
  };

  function axisChart(fig, types, opts) {
    opts = opts || {};
    var cat = { type: "category", data: fig.labels,
                axisLabel: { interval: opts.rotate === 45 ? "auto" : 0, rotate: opts.rotate || 0 } };
    var val = { type: "value", max: opts.max };
    return Object.assign({}, base, {
      xAxis: opts.horizontal ? val : cat,
      yAxis: opts.horizontal ? Object.assign(cat, { axisLabel: { interval: 0 } }) : val,
      grid: Object.assign({}, base.grid, opts.horizontal ? { left: 8 } : {}),
      series: fig.series.map(function (s, i) {
        return { name: s.name, type: types[i] || types[0], data: s.data, connectNulls: true,
                 label: opts.labels ? { show: true, position: opts.horizontal ? "right" : "top" } : undefined };
      }),
    });
  }

  function pieChart(fig) {
    var s = fig.series[0];
    return {
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: { bottom: 0, type: "scroll" },
      series: [{ name: s.name, type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"],
                 data: fig.labels.map(function (l, i) { return { name: l, value: s.data[i] }; }),
                 label: { formatter: "{b}\n{c}" } }],
    };
  }

  function heatmap(fig) {
    var max = fig.cells.reduce(function (m, c) { return Math.max(m, c.value); }, 1);
    return {
      tooltip: { position: "top", formatter: function (p) {
        return fig.y_labels[p.data[1]] + " · " + fig.labels[p.data[0]] + ": " + p.data[2]; } },
      grid: { left: 8, right: 16, top: 16, bottom: 64, containLabel: true },
      xAxis: { type: "category", data: fig.labels, splitArea: { show: true }, axisLabel: { interval: 0, rotate: 20 } },
      yAxis: { type: "category", data: fig.y_labels, splitArea: { show: true } },
      visualMap: { min: 0, max: max, calculable: true, orient: "horizontal", left: "center", bottom: 0,
                   inRange: { color: ["#fff5eb", "#fd8d3c", "#a50f15"] } },
      series: [{ name: fig.title, type: "heatmap",
                 data: fig.cells.map(function (c) { return [c.x, c.y, c.value]; }),
                 label: { show: true } }],
    };
  }

  var builders = {
    intake: function (f) { return axisChart(f, ["bar", "bar"]); },
    on_time: function (f) { return axisChart(f, ["line", "line"], { max: 100, rotate: 45 }); },
    time_to_decision: function (f) { return axisChart(f, ["bar", "bar"], { labels: true }); },
    routes: pieChart,
    verification: function (f) { return axisChart(f, ["bar", "bar"], { labels: true, rotate: 15 }); },
    findings: pieChart,
    enforcement_stages: function (f) { return axisChart(f, ["bar"], { horizontal: true, labels: true }); },
    fines: function (f) { return axisChart(f, ["bar", "line"]); },
    credit_tiers: function (f) { return axisChart(f, ["bar"], { labels: true }); },
    overdue_heatmap: heatmap,
  };

  function summary(fig) {
    var parts = [];
    Object.keys(fig.summary).forEach(function (k) {
      var label = I18N.summary[k];
      var v = fig.summary[k];
      if (!label || v === null || v === undefined) return;
      parts.push(label + " " + v + (I18N.percent.indexOf(k) >= 0 ? "%" : ""));
    });
    return parts.join(" · ");
  }

  function draw(el, fig) {
    var name = el.dataset.figure;
    var chart = charts[name] || echarts.init(el, null, { renderer: "canvas" });
    charts[name] = chart;
    var option = builders[name](fig);
    var empty = fig.cells.length === 0 && fig.series.every(function (s) {
      return s.data.every(function (v) { return !v; });
    });
    option.title = empty ? { text: root.dataset.empty, left: "center", top: "middle",
                             textStyle: { color: "#999", fontSize: 14 } } : undefined;
    chart.setOption(option, true);
    chart.off("click");
    chart.on("click", function (p) {
      var link = null;
      if (name === "overdue_heatmap") link = fig.cells[p.dataIndex] && fig.cells[p.dataIndex].link;
      else if (fig.series[p.seriesIndex]) link = fig.series[p.seriesIndex].links[p.dataIndex];
      if (link) window.location.href = link;
    });
    document.querySelector('[data-title-for="' + name + '"]').textContent = fig.title;
    document.querySelector('[data-summary-for="' + name + '"]').textContent = summary(fig);
    el.dataset.rendered = "1";
  }

  function loadAll() {
    var q = query();
    document.querySelectorAll(".command-chart").forEach(function (el) {
      get(api + el.dataset.figure + q).then(function (fig) { draw(el, fig); }).catch(function () {
        el.textContent = root.dataset.failed;
        el.dataset.rendered = "error";
      });
    });
  }

  // --- live feed ---------------------------------------------------------------------------
  var feed = document.getElementById("command-feed");
  var cursor = null;
  var MAX_ITEMS = 50;

  function feedItem(item) {
    var row = document.createElement("div");
    row.className = "list-group-item py-2";
    var head = document.createElement("div");
    head.className = "d-flex justify-content-between small text-secondary";
    var who = document.createElement("span");
    who.textContent = item.actor_name;
    var when = document.createElement("span");
    when.textContent = new Date(item.time).toLocaleTimeString();
    head.appendChild(who);
    head.appendChild(when);
    var what = document.createElement("div");
    what.className = "small";
    what.textContent = item.action + " · " + item.object_repr;
    row.appendChild(head);
    row.appendChild(what);
    row.dataset.seq = item.seq;
    return row;
  }

  function poll() {
    var url = api + "feed" + (cursor === null ? "" : "?after=" + cursor);
    get(url).then(function (data) {
      data.items.forEach(function (item) { feed.insertBefore(feedItem(item), feed.firstChild); });
      while (feed.children.length > MAX_ITEMS) feed.removeChild(feed.lastChild);
      cursor = data.cursor;
    }).catch(function () {}).then(function () {
      window.setTimeout(poll, document.hidden ? pollMs * 4 : pollMs);
    });
  }

  document.getElementById("command-period").addEventListener("submit", function (ev) {
    ev.preventDefault();
    loadAll();
  });
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (k) { charts[k].resize(); });
  });
  loadAll();
  poll();
})();
