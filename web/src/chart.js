// Candlestick chart (TradingView lightweight-charts v5) of the selected symbol.
import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import { createChart, CandlestickSeries, HistogramSeries, CrosshairMode } from 'lightweight-charts';
import { barsOf, onBar, onReset } from './candles.js';
import { b3AxisLabel, b3ChartTime, B3_ZONE_LABEL } from './time.js';

const UP = '#26a69a', DOWN = '#ef5350';

function volBar(b) {
  return { time: b.time, value: b.volume, color: b.close >= b.open ? 'rgba(38,166,154,0.45)' : 'rgba(239,83,80,0.45)' };
}

export function Chart({ symbol }) {
  const el = useRef(null);
  const api = useRef(null);

  useEffect(() => {
    const chart = createChart(el.current, {
      autoSize: true,
      layout: { background: { color: '#0f141b' }, textColor: '#9aa7b5', fontSize: 11,
        fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace' },
      grid: { vertLines: { color: '#1b232d' }, horzLines: { color: '#1b232d' } },
      crosshair: { mode: CrosshairMode.Normal },
      rightPriceScale: { borderColor: '#263241' },
      timeScale: { borderColor: '#263241', timeVisible: true, secondsVisible: false, barSpacing: 9, rightOffset: 6,
        tickMarkFormatter: (t, type) => b3AxisLabel(t, type < 3) },
      localization: { timeFormatter: (t) => b3ChartTime(t), priceFormatter: (p) => p.toFixed(2) },
    });
    const candles = chart.addSeries(CandlestickSeries, {
      upColor: UP, downColor: DOWN, borderVisible: false, wickUpColor: UP, wickDownColor: DOWN,
    });
    const volume = chart.addSeries(HistogramSeries, { priceScaleId: 'vol', priceFormat: { type: 'volume' }, lastValueVisible: false, priceLineVisible: false });
    chart.priceScale('vol').applyOptions({ scaleMargins: { top: 0.82, bottom: 0 } });
    api.current = { chart, candles, volume, symbol: null, lastTime: 0 };
    return () => { chart.remove(); api.current = null; };
  }, []);

  useEffect(() => {
    const a = api.current;
    if (!a) return;
    const reset = () => {
      const bars = barsOf(symbol);
      a.candles.setData(bars.map(({ time, open, high, low, close }) => ({ time, open, high, low, close })));
      a.volume.setData(bars.map(volBar));
      a.lastTime = bars.length ? bars[bars.length - 1].time : 0;
      a.chart.timeScale().scrollToRealTime();
    };
    a.symbol = symbol;
    reset();
    const offBar = onBar((sym, bar) => {
      if (sym !== symbol) return;
      if (bar.time < a.lastTime) { reset(); return; } // a late tick for an older minute
      a.candles.update({ time: bar.time, open: bar.open, high: bar.high, low: bar.low, close: bar.close });
      a.volume.update(volBar(bar));
      a.lastTime = bar.time;
    });
    const offReset = onReset((sym) => { if (sym === symbol) reset(); });
    return () => { offBar(); offReset(); };
  }, [symbol]);

  return html`<section class="panel chart-panel" data-testid="chart" aria-label="Chart">
    <header class="panel-head"><h2>${symbol || '—'} <span class="muted">1m candles · ${B3_ZONE_LABEL}</span></h2></header>
    <div class="chart-box" ref=${el}></div>
  </section>`;
}
