#!/usr/bin/env node
// Thin launcher: runs the TypeScript CLI through tsx's loader so `npx parallax` works
// straight after `npm install`, without a separate build step.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

register();
const here = dirname(fileURLToPath(import.meta.url));
await import(join(here, '..', 'src', 'cli', 'main.ts'));
