import { NODE_RUNTIME_DEPRECATIONS, runtimeProblem } from './lambda-runtimes';

describe('runtimeProblem', () => {
  const day = (iso: string) => new Date(`${iso}T12:00:00Z`);

  it('accepts a runtime before its deprecation date', () => {
    expect(runtimeProblem('nodejs24.x', day('2026-12-04'))).toBeUndefined();
  });

  it('refuses a runtime from its deprecation date on, naming the date', () => {
    expect(runtimeProblem('nodejs20.x', day('2026-04-29'))).toBeUndefined();
    expect(runtimeProblem('nodejs20.x', day('2026-04-30'))).toBe('nodejs20.x was deprecated by Lambda on 2026-04-30');
    expect(runtimeProblem('nodejs24.x', day('2028-05-01'))).toBe('nodejs24.x was deprecated by Lambda on 2028-04-30');
  });

  it('refuses a runtime it does not know and a missing one', () => {
    expect(runtimeProblem('nodejs26.x', day('2026-12-04'))).toMatch(/not a Lambda Node.js runtime/);
    expect(runtimeProblem(undefined, day('2026-12-04'))).toMatch(/no runtime named/);
  });

  it('lists dates that parse', () => {
    for (const date of Object.values(NODE_RUNTIME_DEPRECATIONS)) expect(Number.isNaN(Date.parse(date))).toBe(false);
  });
});
