import { render } from 'preact';
import { App } from './app';
import './console.css';

// The API is the page's own origin (the console is served beside it), unless index.html names another in
// <meta name="cargohold-api-origin" content="https://…">, for static hosting with CORS (see the README).
const configured = document.querySelector<HTMLMetaElement>('meta[name="cargohold-api-origin"]')?.content;
render(<App origin={configured || location.origin} />, document.getElementById('app') as HTMLElement);
