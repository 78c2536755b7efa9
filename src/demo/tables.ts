import type { Generated } from 'kysely';

/** One row per demo seed step that has run, so that a restart never seeds twice. */
export interface DemoSeedRow {
  step: string;
  applied_at: Generated<Date>;
}

export interface DemoTables {
  demo_seed_steps: DemoSeedRow;
}
