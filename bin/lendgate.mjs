#!/usr/bin/env node
// The `lendgate` command (`npx lendgate …`). npx puts node_modules/.bin first on PATH, so `node`
// here is the Node 24 the project pins; the CLI itself is TypeScript run by Node's type stripping.
import '../src/cli/main.ts';
