import { AppError, type FieldProblem } from '../shared/errors.ts';
import {
  CHANNEL_CODE_PATTERN,
  type ChannelChanges,
  MAX_PLACEMENTS,
  type NewChannel,
  PLACEMENT_CODE_PATTERN,
  type Placement,
} from './model.ts';

function throwIfAny(problems: readonly FieldProblem[]): void {
  if (problems.length === 0) return;
  const message = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  throw new AppError('VALIDATION_FAILED', message, { fields: [...problems] });
}

function name(problems: FieldProblem[], field: string, value: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed === '') problems.push({ field, message: 'must not be empty' });
  else if (trimmed.length > max) problems.push({ field, message: `must be at most ${max} characters` });
  return trimmed;
}

function placements(problems: FieldProblem[], list: readonly Placement[]): Placement[] {
  if (list.length > MAX_PLACEMENTS)
    problems.push({ field: 'placements', message: `at most ${MAX_PLACEMENTS}` });
  const seen = new Set<string>();
  return list.map((placement, i) => {
    if (!PLACEMENT_CODE_PATTERN.test(placement.code)) {
      problems.push({
        field: `placements.${i}.code`,
        message: 'must be 1–32 of a-z, 0-9, _ starting with a letter',
      });
    } else if (seen.has(placement.code)) {
      problems.push({ field: `placements.${i}.code`, message: `${placement.code} is listed twice` });
    }
    seen.add(placement.code);
    return { code: placement.code, name: name(problems, `placements.${i}.name`, placement.name, 50) };
  });
}

/** The new channel, trimmed, or VALIDATION_FAILED naming every bad field. */
export function checkNewChannel(input: NewChannel): Required<NewChannel> {
  const problems: FieldProblem[] = [];
  if (!CHANNEL_CODE_PATTERN.test(input.code)) {
    problems.push({ field: 'code', message: 'must be 2–32 of a-z, 0-9, _ starting with a letter' });
  }
  const checked = {
    code: input.code,
    name: name(problems, 'name', input.name, 100),
    placements: placements(problems, input.placements ?? []),
  };
  throwIfAny(problems);
  return checked;
}

export function checkChannelChanges(input: ChannelChanges): ChannelChanges {
  const problems: FieldProblem[] = [];
  const checked: { name?: string; placements?: Placement[] } = {};
  if (input.name !== undefined) checked.name = name(problems, 'name', input.name, 100);
  if (input.placements !== undefined) checked.placements = placements(problems, input.placements);
  throwIfAny(problems);
  return checked;
}

/** A free-text reason (disable, revoke): 1–500 characters. */
export function checkReason(field: string, value: string): string {
  const problems: FieldProblem[] = [];
  const trimmed = name(problems, field, value, 500);
  throwIfAny(problems);
  return trimmed;
}

export function fieldError(field: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', `${field}: ${message}`, { fields: [{ field, message }] });
}
