// Latency versus throughput as a hand-written SVG (no plotting dependency): one point per
// rate step, x = achieved end-to-end commands/s, y = latency in ms on a log scale.
export interface PlotPoint {
  x: number;
  p50: number;
  p99: number;
  p99FromSend: number;
  sustainable: boolean;
}

const W = 720;
const H = 420;
const M = { left: 70, right: 20, top: 40, bottom: 60 };

export function latencyPlotSvg(points: PlotPoint[], title: string): string {
  const pts = [...points].sort((a, b) => a.x - b.x);
  const xMax = Math.max(1, ...pts.map((p) => p.x)) * 1.1;
  const ys = pts.flatMap((p) => [p.p50, p.p99, p.p99FromSend]).filter((v) => v > 0);
  const yMin = 10 ** Math.floor(Math.log10(Math.max(1, Math.min(...ys, 10))));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...ys, 100)));
  const sx = (x: number) => M.left + (x / xMax) * (W - M.left - M.right);
  const sy = (y: number) => H - M.bottom - ((Math.log10(Math.max(y, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * (H - M.top - M.bottom);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${title}</text>`);
  for (let d = yMin; d <= yMax; d *= 10) {
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${sy(d)}" y2="${sy(d)}" stroke="#ddd"/>`);
    out.push(`<text x="${M.left - 6}" y="${sy(d) + 4}" text-anchor="end">${d}</text>`);
  }
  const step = 10 ** Math.floor(Math.log10(xMax / 2)) * (xMax / 10 ** Math.floor(Math.log10(xMax)) > 5 ? 2 : 1) / 2;
  for (let x = 0; x <= xMax; x += step) {
    out.push(`<line x1="${sx(x)}" x2="${sx(x)}" y1="${M.top}" y2="${H - M.bottom}" stroke="#eee"/>`);
    out.push(`<text x="${sx(x)}" y="${H - M.bottom + 16}" text-anchor="middle">${Math.round(x)}</text>`);
  }
  out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="black"/>`);
  out.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}" stroke="black"/>`);
  out.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - 18}" text-anchor="middle">achieved end-to-end commands/s</text>`);
  out.push(`<text x="18" y="${(M.top + H - M.bottom) / 2}" text-anchor="middle" transform="rotate(-90 18 ${(M.top + H - M.bottom) / 2})">latency, ms (log scale)</text>`);
  out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${sy(100)}" y2="${sy(100)}" stroke="#c00" stroke-dasharray="2 4"/>`);
  const series: [keyof PlotPoint, string, string, string][] = [
    ['p50', '#1f77b4', '', 'p50 accept → event'],
    ['p99', '#d62728', '', 'p99 accept → event'],
    ['p99FromSend', '#ff7f0e', '6 3', 'p99 send → event'],
  ];
  series.forEach(([key, color, dash, label], i) => {
    const path = pts.map((p, j) => `${j === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p[key] as number).toFixed(1)}`).join(' ');
    out.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    for (const p of pts) {
      out.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p[key] as number).toFixed(1)}" r="4" fill="${p.sustainable ? color : 'white'}" stroke="${color}"/>`);
    }
    out.push(`<rect x="${M.left + 12}" y="${M.top + 8 + i * 18}" width="14" height="3" fill="${color}"/><text x="${M.left + 32}" y="${M.top + 13 + i * 18}">${label}</text>`);
  });
  out.push(`<text x="${M.left + 12}" y="${M.top + 13 + 3 * 18}">hollow = not sustainable; dotted red = 100 ms target</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
