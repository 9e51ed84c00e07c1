import { render } from 'preact';
import { App } from './app';
import './console.css';

// The API is the page's own origin: the console is served beside it (see the README for CORS otherwise).
render(<App origin={location.origin} />, document.getElementById('app') as HTMLElement);
