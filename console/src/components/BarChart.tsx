import { useEffect, useRef } from 'react';
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

/**
 * A horizontal bar chart of counts (Chart.js on a canvas) whose numbers are also its accessible
 * name; with {@code onPick}, a click on a bar or on the bar's button under the chart picks it.
 */
export function BarChart({ title, counts, onPick }: { title: string; counts: Record<string, number>; onPick?: (value: string) => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const entries = Object.entries(counts);
  const key = JSON.stringify(entries);
  useEffect(() => {
    if (!canvas.current) {
      return;
    }
    const labels = entries.map(([k]) => k || '(none)');
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: { labels, datasets: [{ label: title, data: entries.map(([, v]) => v), backgroundColor: '#2f6fab' }] },
      options: {
        indexAxis: 'y',
        animation: false,
        maintainAspectRatio: false,
        plugins: { tooltip: { enabled: true } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
        onClick: (_event, elements) => {
          const hit = elements[0];
          if (hit && onPick) {
            onPick(entries[hit.index][0]);
          }
        },
      },
    });
    return () => chart.destroy();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, title]);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div style={{ height: Math.max(80, entries.length * 22 + 30) }}>
        <canvas ref={canvas} role="img" aria-label={`${title}: ${entries.map(([k, v]) => `${k || '(none)'} ${v}`).join(', ')}`} />
      </div>
      {/* A click on a bar filters; a canvas is no keyboard target, so the bars are also buttons here. */}
      {onPick && entries.length > 0 && (
        <ul className="chart-picks" aria-label={`${title}: show the hosts of a bar`}>
          {entries.map(([k, v]) => (
            <li key={k}><button type="button" className="link" onClick={() => onPick(k)}>{k || '(none)'}: {v.toLocaleString()}</button></li>
          ))}
        </ul>
      )}
    </figure>
  );
}
