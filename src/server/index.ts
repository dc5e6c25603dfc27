export { buildApp, API_VERSION } from './app.ts';
