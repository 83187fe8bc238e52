import './style.css';
import { html } from 'htm/preact';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { App } from './components.js';
import { subscribe, start, state, stream } from './store.js';

function Root() {
  const [, setN] = useState(0);
  useEffect(() => subscribe(() => setN((n) => n + 1)), []);
  return html`<${App} />`;
}

render(html`<${Root} />`, document.getElementById('app'));
start();
// for debugging in the console and for the browser test (it drops the socket to test resuming)
window.__tradingsystem = { state, stream };
