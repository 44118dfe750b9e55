// FleetControl console: the map and the health chart, drawn as SVG from the REST API's JSON and GeoJSON.
// Works offline: no tile server, no library; the "basemap" is a labelled graticule.
'use strict';
window.FleetCharts = (() => {
  const NS = 'http://www.w3.org/2000/svg';
  const el = (name, attrs, text) => {
    const node = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const niceStep = span => { const p = Math.pow(10, Math.floor(Math.log10(span || 1))); return [1, 2, 5, 10].map(m => m * p).find(s => span / s <= 6) || p * 10; };

  // An equirectangular view of [lon, lat] points (x scaled by cos(latitude) so shapes keep their proportions).
  function projection(points, width, height, pad) {
    let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const [x, y] of points) { minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y); }
    if (!isFinite(minX)) [minX, minY, maxX, maxY] = [-1, 50, 1, 54];
    const margin = Math.max(maxX - minX, maxY - minY, 0.002) * 0.08;
    minX -= margin; maxX += margin; minY -= margin; maxY += margin;
    const k = Math.cos(((minY + maxY) / 2) * Math.PI / 180);
    const scale = Math.min((width - 2 * pad) / ((maxX - minX) * k || 1), (height - 2 * pad) / ((maxY - minY) || 1));
    const cx = (minX + maxX) / 2, cy = (minY + maxY) / 2;
    return { minX, minY, maxX, maxY, x: lon => width / 2 + (lon - cx) * k * scale, y: lat => height / 2 - (lat - cy) * scale };
  }

  function graticule(svg, p, width, height) {
    const step = niceStep(Math.max(p.maxX - p.minX, p.maxY - p.minY));
    const g = el('g', { class: 'graticule' });
    for (let lon = Math.ceil(p.minX / step) * step; lon <= p.maxX; lon += step) {
      g.append(el('line', { x1: p.x(lon), x2: p.x(lon), y1: 0, y2: height }), el('text', { x: p.x(lon) + 2, y: height - 4 }, lon.toFixed(4)));
    }
    for (let lat = Math.ceil(p.minY / step) * step; lat <= p.maxY; lat += step) {
      g.append(el('line', { x1: 0, x2: width, y1: p.y(lat), y2: p.y(lat) }), el('text', { x: 2, y: p.y(lat) - 2 }, lat.toFixed(4)));
    }
    svg.append(g);
  }

  // The fleet map: one labelled dot per device at its last position.
  function fleetMap(devices, width = 900, height = 520) {
    const placed = devices.filter(d => d.lastPosition);
    const p = projection(placed.map(d => [d.lastPosition.lon, d.lastPosition.lat]), width, height, 24);
    const svg = el('svg', { id: 'fleet-map', class: 'map', viewBox: `0 0 ${width} ${height}`, width, height });
    graticule(svg, p, width, height);
    for (const d of placed) {
      const a = el('a', { href: `#/device/${encodeURIComponent(d.deviceId)}`, 'data-device': d.deviceId });
      a.append(el('circle', { cx: p.x(d.lastPosition.lon), cy: p.y(d.lastPosition.lat), r: 5, class: d.online ? 'online' : 'offline' }),
        el('text', { x: p.x(d.lastPosition.lon) + 7, y: p.y(d.lastPosition.lat) + 4 }, d.deviceId));
      svg.append(a);
    }
    return svg;
  }

  // A device's track from the GeoJSON export: the LineString, each fix, and the newest fix highlighted.
  function trackMap(geojson, width = 640, height = 400) {
    const fixes = (geojson.features || []).filter(f => f.geometry?.type === 'Point');
    const line = (geojson.features || []).find(f => f.geometry?.type === 'LineString');
    const coords = line ? line.geometry.coordinates : fixes.map(f => f.geometry.coordinates);
    const p = projection(coords, width, height, 16);
    const svg = el('svg', { id: 'track-map', class: 'map', viewBox: `0 0 ${width} ${height}`, width, height, 'data-fixes': fixes.length });
    graticule(svg, p, width, height);
    if (coords.length) {
      svg.append(el('polyline', { class: 'track', points: coords.map(([x, y]) => `${p.x(x).toFixed(1)},${p.y(y).toFixed(1)}`).join(' ') }));
      const [lx, ly] = coords[coords.length - 1];
      svg.append(el('circle', { class: 'here', cx: p.x(lx), cy: p.y(ly), r: 6 }));
    } else {
      svg.append(el('text', { x: width / 2 - 60, y: height / 2 }, 'no positions yet'));
    }
    return svg;
  }

  // Health history: backlog (messages) and oldest unsent age (s) over time, each on its own scale.
  function healthChart(samples, width = 640, height = 220) {
    const pad = { l: 44, r: 44, t: 12, b: 24 };
    const svg = el('svg', { id: 'health-chart', class: 'chart', viewBox: `0 0 ${width} ${height}`, width, height, 'data-samples': samples.length });
    if (!samples.length) { svg.append(el('text', { x: width / 2 - 60, y: height / 2 }, 'no health reports yet')); return svg; }
    const t = samples.map(s => Date.parse(s.at));
    const t0 = Math.min(...t), t1 = Math.max(...t, t0 + 1000);
    const x = v => pad.l + (v - t0) / (t1 - t0) * (width - pad.l - pad.r);
    const series = [
      { name: 'backlog', cls: 'backlog', values: samples.map(s => Number(s.backlog)), side: 'l' },
      { name: 'oldest unsent (s)', cls: 'age', values: samples.map(s => Number(s.oldestUnsentAgeMs) / 1000), side: 'r' },
    ];
    svg.append(el('line', { x1: pad.l, x2: width - pad.r, y1: height - pad.b, y2: height - pad.b, class: 'axis' }));
    for (const s of series) {
      const max = Math.max(1, ...s.values);
      const y = v => height - pad.b - v / max * (height - pad.t - pad.b);
      svg.append(el('polyline', { class: s.cls, points: s.values.map((v, i) => `${x(t[i]).toFixed(1)},${y(v).toFixed(1)}`).join(' ') }),
        el('text', { class: s.cls, x: s.side === 'l' ? 2 : width - pad.r + 4, y: pad.t + 8 }, String(Math.round(max))));
    }
    // Link-down stretches shaded, so a growing backlog can be read against the link.
    samples.forEach((s, i) => {
      if (s.linkState !== 'Connected' && s.linkState !== 'LINK_STATE_CONNECTED' && i + 1 < samples.length) {
        svg.prepend(el('rect', { class: 'down', x: x(t[i]), y: pad.t, width: Math.max(1, x(t[i + 1]) - x(t[i])), height: height - pad.t - pad.b }));
      }
    });
    svg.append(el('text', { x: pad.l, y: height - 6 }, new Date(t0).toISOString().slice(11, 19)),
      el('text', { x: width - pad.r - 52, y: height - 6 }, new Date(t1).toISOString().slice(11, 19)),
      el('text', { class: 'backlog', x: pad.l + 80, y: height - 6 }, '— backlog'), el('text', { class: 'age', x: pad.l + 160, y: height - 6 }, '— oldest unsent (s)'));
    return svg;
  }

  return { fleetMap, trackMap, healthChart };
})();
