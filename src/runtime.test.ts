import { describe, expect, it } from 'vitest';

describe('runtime', () => {
  it('runs on Node 22 or later (the project pins Node 24 through the node@24 devDependency)', () => {
    const major = Number(process.versions.node.split('.')[0]);
    expect(major).toBeGreaterThanOrEqual(22);
  });
});
