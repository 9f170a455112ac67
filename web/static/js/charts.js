/*
 * Qinglian dashboard charts: every <div class="ql-chart" data-chart="{...}"> becomes an ECharts chart.
 *
 * data-chart (built by web/dashboard.py chart_of):
 *   {"type": "bar" | "pie" | "funnel", "categories": [labels],
 *    "series": [{"name": column, "data": [numbers], "links": [URL or null]}]}
 * Clicking a bar, slice or funnel stage opens the list of cases behind that figure (its link).
 * The table under each chart holds the same figures, for reading and for screen readers.
 *
 * Needs the ECharts bundle (global `echarts`) loaded first; works under script-src 'self' (no inline
 * script, no eval). When done, each element gets data-chart-status="ready" (or "error").
 */
(function () {
  'use strict';

  var COLORS = ['#a61b1b', '#1f5fa8', '#2f7d32', '#b7791f', '#6b46c1', '#0f766e', '#9c4221', '#4a5568'];

  function pieData(spec) {
    var s = spec.series[0];
    return spec.categories.map(function (name, i) {
      return { name: name, value: s.data[i], link: s.links[i] };
    });
  }

  function option(spec) {
    var base = { color: COLORS, tooltip: { trigger: spec.type === 'bar' ? 'axis' : 'item' }, animation: false };
    if (spec.type === 'pie') {
      base.series = [{
        type: 'pie', radius: ['35%', '68%'], data: pieData(spec),
        label: { formatter: '{b}\n{c}（{d}%）' }, avoidLabelOverlap: true
      }];
      return base;
    }
    if (spec.type === 'funnel') {
      base.series = [{
        type: 'funnel', sort: 'none', left: '10%', width: '80%', data: pieData(spec),
        label: { position: 'inside', formatter: '{b}：{c}' }
      }];
      return base;
    }
    base.legend = spec.series.length > 1 ? { top: 0 } : undefined;
    base.grid = { left: 8, right: 16, top: spec.series.length > 1 ? 32 : 12, bottom: 8, containLabel: true };
    base.xAxis = { type: 'category', data: spec.categories, axisLabel: { interval: 0, hideOverlap: true } };
    base.yAxis = { type: 'value', minInterval: 1 };
    base.series = spec.series.map(function (s) {
      return {
        type: 'bar', name: s.name, barMaxWidth: 36,
        data: s.data.map(function (v, i) { return { value: v, link: s.links[i] }; })
      };
    });
    return base;
  }

  function draw(el) {
    var spec;
    try {
      spec = JSON.parse(el.getAttribute('data-chart'));
    } catch (e) {
      el.setAttribute('data-chart-status', 'error');
      return;
    }
    var chart = window.echarts.init(el, null, { renderer: 'svg' });
    chart.setOption(option(spec));
    chart.on('click', function (params) {
      var link = params.data && params.data.link;
      if (link) {
        window.location.assign(link);
      }
    });
    window.addEventListener('resize', function () { chart.resize(); });
    el.setAttribute('data-chart-status', 'ready');
  }

  function start() {
    var charts = document.querySelectorAll('.ql-chart');
    if (typeof window.echarts === 'undefined') {
      charts.forEach(function (el) { el.setAttribute('data-chart-status', 'error'); });
      return;
    }
    charts.forEach(draw);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
