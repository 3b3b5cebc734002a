/* ci/dashboard/dashboard.js: draws the dashboard's charts with Chart.js from
 * the #dashboard-data JSON (ci/dashboard.py inlines both). Each canvas names
 * what it shows in data-kind (bench, sub, sweep, fuzz) and its indices; when
 * done, window.chartsDrawn counts the charts drawn and window.chartsExpected
 * the canvases (the browser test compares them). */
'use strict';
(function () {
  const DATA = JSON.parse(document.getElementById('dashboard-data').textContent);
  const IMPLS = ['c', 'go', 'boost'];
  const NAME = {c: 'C', go: 'Go', boost: 'Boost'};
  const COLOR = {c: '#2563eb', go: '#0891b2', boost: '#ea580c'};
  const RATIO = '#7c3aed', TARGET = '#dc2626', INSTR = '#64748b';
  const SLOWER = '#dc2626', FASTER = '#16a34a';
  const PALETTE = ['#2563eb', '#0891b2', '#ea580c', '#7c3aed', '#16a34a',
    '#db2777', '#ca8a04', '#475569'];
  const AXIS_W = 60; // fixed y axis widths keep a card's two charts aligned

  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';
  Chart.defaults.font.size = 11;
  Chart.defaults.color = '#475569';
  Chart.defaults.plugins.legend.labels.boxWidth = 14;
  Chart.defaults.plugins.legend.labels.boxHeight = 2;
  Chart.defaults.plugins.legend.labels.filter = (item) => !item.text.startsWith('_');

  function rgba(hex, a) {
    const n = parseInt(hex.slice(1), 16);
    return `rgba(${n >> 16},${(n >> 8) & 255},${n & 255},${a})`;
  }

  function fmt(v, unit) {
    if (v === null || v === undefined) return '—';
    if (unit === 'ns/op') {
      for (const [s, u] of [[1e9, 's'], [1e6, 'ms'], [1e3, 'µs']]) {
        if (Math.abs(v) >= s) return `${+(v / s).toPrecision(3)} ${u}`;
      }
      return `${+v.toPrecision(3)} ns`;
    }
    if (unit === 'bytes/goroutine') return `${Math.round(v).toLocaleString('en')} B`;
    return (+v.toPrecision(4)).toLocaleString('en');
  }

  function pct(p) {
    return p === null || p === undefined ? '' : ` ${p > 0 ? '+' : ''}${p.toFixed(1)}%`;
  }

  // Change points, drawn over a category axis: a dashed vertical at the first
  // run after the step, and (on the main chart) its commit and size.
  const cpsOf = new WeakMap(); // canvas -> {points, labels}
  Chart.register({
    id: 'changePoints',
    afterDatasetsDraw(chart) {
      const cp = cpsOf.get(chart.canvas);
      if (!cp || !cp.points.length) return;
      const {ctx, chartArea: a, scales: {x}} = chart;
      ctx.save();
      ctx.font = '600 11px system-ui, sans-serif';
      for (const p of cp.points) {
        const px = x.getPixelForValue(p.index);
        const col = (p.pct || 0) > 0 ? SLOWER : FASTER;
        ctx.strokeStyle = col;
        ctx.lineWidth = 1.5;
        ctx.setLineDash([5, 4]);
        ctx.beginPath();
        ctx.moveTo(px, a.top);
        ctx.lineTo(px, a.bottom);
        ctx.stroke();
        if (!cp.labels) continue;
        const text = p.commit + pct(p.pct);
        const w = ctx.measureText(text).width;
        const tx = px + 5 + w > a.right ? px - 5 - w : px + 5;
        ctx.fillStyle = 'rgba(255,255,255,0.85)';
        ctx.fillRect(tx - 2, a.top + 1, w + 4, 14);
        ctx.fillStyle = col;
        ctx.fillText(text, tx, a.top + 12);
      }
      ctx.restore();
    },
  });

  function mantissa(v) {
    return v / 10 ** Math.floor(Math.log10(v) + 1e-9);
  }

  function logTicks(format) {
    // Label the ends and 1, 2 and 5 times a power of ten; the other ticks
    // keep their grid line.
    return (v, i, ticks) => (i === 0 || i === ticks.length - 1 ||
      [1, 2, 5].some((k) => Math.abs(mantissa(v) - k) < 1e-6)) ? format(v) : '';
  }

  // A value axis fitted to [lo, hi]: logarithmic between one-digit bounds
  // when the values span a factor 3 or more (C against Go, typically), so a
  // step of some % looks the same size whatever the level; linear otherwise.
  function valueAxis(unit, lo, hi, extra) {
    const format = (v) => fmt(v, unit);
    let axis;
    if (lo > 0 && hi / lo >= 3) {
      const floor = (v) => { const p = 10 ** Math.floor(Math.log10(v)); return Math.floor(v / p) * p; };
      const ceil = (v) => { const p = 10 ** Math.floor(Math.log10(v)); return Math.ceil(v / p) * p; };
      axis = {type: 'logarithmic', min: floor(lo * 0.97), max: ceil(hi * 1.03),
        ticks: {callback: logTicks(format), autoSkipPadding: 4}};
    } else {
      axis = {type: 'linear', grace: '8%', ticks: {callback: format, maxTicksLimit: 6}};
    }
    axis.afterFit = (s) => { s.width = AXIS_W; };
    return Object.assign(axis, extra || {});
  }

  function yAxis(title, extra) {
    return Object.assign({type: 'linear', title: {display: true, text: title},
      afterFit: (s) => { s.width = AXIS_W; }}, extra || {});
  }

  function extent(values) {
    const v = values.filter((x) => x !== null && x !== undefined);
    return [Math.min(...v), Math.max(...v)];
  }

  function categoryAxis(labels, show) {
    return {
      type: 'category',
      labels: labels,
      grid: {display: false},
      ticks: {display: show, maxRotation: 0, autoSkipPadding: 10, font: {size: 10}},
    };
  }

  function benchChart(canvas, m, b) {
    const datasets = [];
    for (const impl of IMPLS) {
      const s = b.series[impl];
      if (!s) continue;
      const band = {borderWidth: 0, pointRadius: 0, pointHitRadius: 0, spanGaps: true, _band: true};
      datasets.push(Object.assign({label: '_max', data: s.map((p) => p && p.max), fill: false}, band));
      datasets.push(Object.assign({label: '_min', data: s.map((p) => p && p.min), fill: '-1',
        backgroundColor: rgba(COLOR[impl], 0.16)}, band));
      datasets.push({label: NAME[impl], data: s.map((p) => p && p.med), _sum: s,
        borderColor: COLOR[impl], backgroundColor: COLOR[impl], borderWidth: 2,
        pointRadius: 2.5, spanGaps: true, fill: false});
    }
    cpsOf.set(canvas, {points: b.cps, labels: true});
    const both = b.ratio && b.instr;
    const [lo, hi] = extent(IMPLS.flatMap((impl) => (b.series[impl] || [])
      .flatMap((p) => (p ? [p.min, p.max] : []))));
    return new Chart(canvas, {
      type: 'line',
      data: {labels: m.labels, datasets: datasets},
      options: {
        layout: {padding: {right: both ? AXIS_W : 0}},
        interaction: {mode: 'index', intersect: false},
        scales: {x: categoryAxis(m.labels, true), y: valueAxis(b.unit, lo, hi)},
        plugins: {
          legend: {position: 'top', align: 'end'},
          tooltip: {
            filter: (it) => !it.dataset._band,
            callbacks: {
              title: (items) => m.titles[items[0].dataIndex],
              label: (it) => {
                const s = it.dataset._sum[it.dataIndex];
                const cv = s.cv === null ? '' : `, CV ${(100 * s.cv).toFixed(1)}%`;
                const range = `${fmt(s.min, b.unit)}–${fmt(s.max, b.unit)}`;
                return `${it.dataset.label} ${fmt(s.med, b.unit)} (${range}, ${s.n} reps${cv})`;
              },
              footer: (items) => {
                const cp = b.cps.find((p) => p.index === items[0].dataIndex);
                return cp ? `change point: ${cp.commit}${pct(cp.pct)}` : '';
              },
            },
          },
        },
      },
    });
  }

  function subChart(canvas, m, b) {
    const datasets = [];
    const scales = {x: categoryAxis(m.labels, false)};
    if (b.ratio) {
      datasets.push({label: 'C/Go', data: b.ratio, borderColor: RATIO, backgroundColor: RATIO,
        borderWidth: 2, pointRadius: 2, spanGaps: true, yAxisID: 'y'});
      datasets.push({label: `target ${b.target}`, data: m.labels.map(() => b.target),
        borderColor: TARGET, backgroundColor: TARGET, borderDash: [6, 4], borderWidth: 1.5,
        pointRadius: 0, pointHitRadius: 0, yAxisID: 'y'});
      const hi = Math.max(b.target, ...b.ratio.filter((r) => r !== null));
      scales.y = yAxis('C/Go', {min: 0, suggestedMax: hi * 1.15,
        ticks: {callback: (v) => +v.toPrecision(3), maxTicksLimit: 4}});
    }
    if (b.instr) {
      const axis = b.ratio ? 'y2' : 'y';
      datasets.push({label: 'instr/op', data: b.instr, borderColor: INSTR, backgroundColor: INSTR,
        borderWidth: 1.5, pointRadius: 2, pointStyle: 'rect', spanGaps: true, yAxisID: axis});
      scales[axis] = yAxis('instr/op', {position: b.ratio ? 'right' : 'left',
        grid: {drawOnChartArea: !b.ratio},
        ticks: {callback: (v) => v.toLocaleString('en'), maxTicksLimit: 4}});
    }
    cpsOf.set(canvas, {points: b.cps, labels: false});
    return new Chart(canvas, {
      type: 'line',
      data: {labels: m.labels, datasets: datasets},
      options: {
        interaction: {mode: 'index', intersect: false},
        scales: scales,
        plugins: {
          legend: {position: 'top', align: 'end', labels: {font: {size: 10}}},
          tooltip: {callbacks: {
            title: (items) => m.titles[items[0].dataIndex],
            label: (it) => `${it.dataset.label}: ${it.dataset.label === 'instr/op'
              ? it.parsed.y.toLocaleString('en') : +it.parsed.y.toPrecision(3)}`,
          }},
        },
      },
    });
  }

  function kilo(v) {
    for (const [s, u] of [[1e6, 'M'], [1e3, 'k']]) if (v >= s) return `${+(v / s).toPrecision(3)}${u}`;
    return `${+v.toPrecision(3)}`;
  }

  function sweepChart(canvas, s) {
    const datasets = [];
    const values = [], ks = [];
    for (const [run, dashed] of [[s.latest, false], [s.against, true]]) {
      if (!run) continue;
      for (const impl of IMPLS) {
        const pts = run.curves[impl];
        if (!pts) continue;
        values.push(...pts.map(([, p]) => p.med));
        ks.push(...pts.map(([k]) => k));
        datasets.push({label: `${NAME[impl]}${dashed ? ', earlier' : ''}`, _run: run, _pts: pts,
          data: pts.map(([k, p]) => ({x: k, y: p.med})),
          borderColor: dashed ? rgba(COLOR[impl], 0.7) : COLOR[impl],
          backgroundColor: dashed ? rgba(COLOR[impl], 0.7) : COLOR[impl],
          borderDash: dashed ? [6, 4] : [], borderWidth: dashed ? 1.5 : 2.5,
          pointRadius: 3, pointStyle: dashed ? 'rectRot' : 'circle'});
      }
    }
    return new Chart(canvas, {
      type: 'line',
      data: {datasets: datasets},
      options: {
        interaction: {mode: 'nearest', intersect: false},
        scales: {
          x: {type: 'logarithmic', min: Math.min(...ks), max: Math.max(...ks),
            title: {display: true, text: s.xlabel},
            ticks: {callback: logTicks(kilo), maxRotation: 0, autoSkipPadding: 8}},
          y: valueAxis(s.unit, ...extent(values)),
        },
        plugins: {
          legend: {position: 'top', align: 'end'},
          tooltip: {callbacks: {
            title: (items) => `K = ${items[0].parsed.x.toLocaleString('en')}`,
            label: (it) => {
              const p = it.dataset._pts[it.dataIndex][1];
              const range = `${fmt(p.min, s.unit)}–${fmt(p.max, s.unit)}`;
              return `${it.dataset.label}: ${fmt(p.med, s.unit)} (${range})`;
            },
            footer: (items) => items[0].dataset._run.title,
          }},
        },
      },
    });
  }

  function fuzzChart(canvas, fz, mt) {
    const datasets = fz.targets.map((t, i) => ({label: t, data: mt.targets[t],
      borderColor: PALETTE[i % PALETTE.length], backgroundColor: PALETTE[i % PALETTE.length],
      borderWidth: 2, pointRadius: 2.5, spanGaps: true}));
    return new Chart(canvas, {
      type: 'line',
      data: {labels: fz.labels, datasets: datasets},
      options: {
        interaction: {mode: 'index', intersect: false},
        scales: {
          x: categoryAxis(fz.labels, true),
          y: {beginAtZero: true, ticks: {callback: (v) => v.toLocaleString('en'), precision: 0}},
        },
        plugins: {
          legend: {position: 'top', align: 'end'},
          tooltip: {callbacks: {title: (items) => fz.titles[items[0].dataIndex]}},
        },
      },
    });
  }

  let drawn = 0;
  const canvases = document.querySelectorAll('canvas[data-kind]');
  for (const canvas of canvases) {
    const d = canvas.dataset;
    const m = DATA.machines[+d.m];
    try {
      if (d.kind === 'bench') benchChart(canvas, m, m.benches[+d.b]);
      else if (d.kind === 'sub') subChart(canvas, m, m.benches[+d.b]);
      else if (d.kind === 'sweep') sweepChart(canvas, m.sweeps[+d.s]);
      else if (d.kind === 'fuzz') fuzzChart(canvas, m.fuzz, m.fuzz.metrics[+d.f]);
      else throw new Error(`unknown chart kind ${d.kind}`);
      canvas.dataset.drawn = '1';
      drawn++;
    } catch (e) {
      console.error(`chart ${d.kind} ${d.name || ''} ${d.procs || ''}: ${e && e.stack || e}`);
    }
  }
  window.dashboardColors = Object.assign({}, COLOR);
  window.chartsDrawn = drawn;
  window.chartsExpected = canvases.length;
  document.body.dataset.chartsDrawn = String(drawn);
})();
