/**
 * Entry point: mounts the application. Everything stateful lives in components created here (the API
 * client included), never in module-level singletons, so a test or a second mount starts clean.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import './styles.css';

const el = document.getElementById('root');
if (!el) throw new Error('index.html has no #root element');
createRoot(el).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
