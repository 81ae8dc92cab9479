// The scale-out curve and the CPU behind it as hand-written SVGs (no plotting
// dependency, as bench/latency-plot.ts): throughput per processor replica count, and one
// stacked bar per replica count of the cores each process used in its busiest step.
import type { ScaleOutPoint } from './scale-out.js';

const W = 720;
const H = 420;
const M = { left: 70, right: 150, top: 40, bottom: 60 };
const COLORS: Record<string, string> = { kafka: '#1f77b4', registry: '#9467bd', mongodb: '#2ca02c', edge: '#ff7f0e', processor: '#d62728', load: '#8c564b', other: '#bbbbbb' };

function frame(title: string, yMax: number, yLabel: string, xLabel: string): { out: string[]; sy: (y: number) => number } {
  const sy = (y: number) => H - M.bottom - (y / yMax) * (H - M.top - M.bottom);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${title}</text>`,
  ];
  for (let i = 0; i <= 5; i++) {
    const y = (yMax * i) / 5;
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${sy(y).toFixed(1)}" y2="${sy(y).toFixed(1)}" stroke="#ddd"/>`);
    out.push(`<text x="${M.left - 6}" y="${(sy(y) + 4).toFixed(1)}" text-anchor="end">${Number(y.toFixed(2))}</text>`);
  }
  out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="black"/>`);
  out.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}" stroke="black"/>`);
  out.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - 18}" text-anchor="middle">${xLabel}</text>`);
  out.push(`<text x="18" y="${(M.top + H - M.bottom) / 2}" text-anchor="middle" transform="rotate(-90 18 ${(M.top + H - M.bottom) / 2})">${yLabel}</text>`);
  return { out, sy };
}

const slotX = (i: number, n: number) => M.left + ((i + 0.5) / n) * (W - M.left - M.right);

/** Peak end-to-end commands/s and the highest rate holding at each bound, per replica count; p99 of the peak step as a label. */
export function scaleOutPlotSvg(points: ScaleOutPoint[], title: string): string {
  const bounds = Object.keys(points[0]?.maxRate ?? {});
  const yMax = Math.max(1, ...points.flatMap((p) => [p.peakE2ePerSecond, ...Object.values(p.maxRate)])) * 1.15;
  const { out, sy } = frame(title, yMax, 'commands/s', 'processor replicas');
  const series: [string, string, (p: ScaleOutPoint) => number][] = [
    ['peak completed end to end', '#d62728', (p) => p.peakE2ePerSecond],
    ...bounds.map((b, i): [string, string, (p: ScaleOutPoint) => number] => [`highest rate holding at p99 ≤ ${b} ms`, i === 0 ? '#1f77b4' : '#2ca02c', (p) => p.maxRate[b] ?? 0]),
  ];
  series.forEach(([label, color, y], s) => {
    const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${slotX(i, points.length).toFixed(1)},${sy(y(p)).toFixed(1)}`).join(' ');
    out.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    points.forEach((p, i) => out.push(`<circle cx="${slotX(i, points.length).toFixed(1)}" cy="${sy(y(p)).toFixed(1)}" r="4" fill="${color}"/>`));
    out.push(`<rect x="${W - M.right + 8}" y="${M.top + 8 + s * 18}" width="14" height="3" fill="${color}"/><text x="${W - M.right + 26}" y="${M.top + 13 + s * 18}" font-size="10">${label}</text>`);
  });
  points.forEach((p, i) => {
    out.push(`<text x="${slotX(i, points.length).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle">${p.processors} (${p.edges} edges)</text>`);
    out.push(`<text x="${slotX(i, points.length).toFixed(1)}" y="${(sy(p.peakE2ePerSecond) - 10).toFixed(1)}" text-anchor="middle" font-size="10">p99 ${p.peakP99Ms} ms · ceiling ${p.ceiling.ceiling}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** One stacked bar per replica count: cores used by each process in that count's busiest step, and by other work on the machine; dashed = the machine's cores. */
export function cpuPlotSvg(points: ScaleOutPoint[], title: string, machineCores: number): string {
  const busiest = points.map((p) => [...p.steps].sort((a, b) => b.e2ePerSecond - a.e2ePerSecond)[0]!);
  const names = [...new Set(busiest.flatMap((s) => Object.keys(s.cores))), 'other'];
  const yMax = Math.max(machineCores, ...busiest.map((s) => Object.values(s.cores).reduce<number>((a, c) => a + (c ?? 0), 0) + s.otherCores)) * 1.15;
  const { out, sy } = frame(title, yMax, 'cores busy', 'processor replicas (busiest step)');
  const bw = ((W - M.left - M.right) / points.length) * 0.5;
  busiest.forEach((s, i) => {
    let base = 0;
    for (const name of names) {
      const v = name === 'other' ? s.otherCores : (s.cores[name] ?? 0);
      if (!v) continue;
      out.push(`<rect x="${(slotX(i, points.length) - bw / 2).toFixed(1)}" y="${sy(base + v).toFixed(1)}" width="${bw.toFixed(1)}" height="${(sy(base) - sy(base + v)).toFixed(1)}" fill="${COLORS[name] ?? '#333'}"/>`);
      base += v;
    }
    out.push(`<text x="${slotX(i, points.length).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle">${points[i]!.processors} @ ${s.offeredRate}/s → ${s.e2ePerSecond}/s</text>`);
    out.push(`<text x="${slotX(i, points.length).toFixed(1)}" y="${(sy(base) - 6).toFixed(1)}" text-anchor="middle" font-size="10">ceiling: ${points[i]!.ceiling.ceiling}</text>`);
  });
  out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${sy(machineCores).toFixed(1)}" y2="${sy(machineCores).toFixed(1)}" stroke="black" stroke-dasharray="6 4"/><text x="${W - M.right - 4}" y="${(sy(machineCores) - 4).toFixed(1)}" text-anchor="end" font-size="10">the machine's ${machineCores} cores</text>`);
  names.forEach((name, k) => out.push(`<rect x="${W - M.right + 8}" y="${M.top + 4 + k * 18}" width="12" height="12" fill="${COLORS[name] ?? '#333'}"/><text x="${W - M.right + 26}" y="${M.top + 14 + k * 18}">${name === 'load' ? 'load generator' : name === 'other' ? 'other work' : name}</text>`));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
