import './style.css';
import { html } from 'htm/preact';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { onUnauthenticated } from './api.js';
import { App, Login } from './components.js';
import { subscribe, start, state, stream, checkSession, sessionEnded } from './store.js';

function Root() {
  const [, setN] = useState(0);
  useEffect(() => subscribe(() => setN((n) => n + 1)), []);
  if (!state.session.checked) return null; // GET /auth/me has not answered yet
  return state.session.user ? html`<${App} />` : html`<${Login} />`;
}

// a 401 of any later call (the session expired or was revoked) shows the login view
onUnauthenticated(sessionEnded);
render(html`<${Root} />`, document.getElementById('app'));
// nothing else (store, stream, polling) starts before the session is known
checkSession().then((ok) => { if (ok) start(); });
// for debugging in the console and for the browser test (it drops the socket to test resuming)
window.__tradingsystem = { state, stream };
