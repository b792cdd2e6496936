// A setup file (vitest.config.ts): vitest evaluates it again before each test file, even with `isolate: false`.
// Hooks run in stack order, so this afterAll, registered first, runs after the file's own.
import { afterAll } from 'vitest';
import { releaseAll } from './file-cleanup.js';

afterAll(releaseAll);
