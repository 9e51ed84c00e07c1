// Turns measurements into table rows (cargohold vs a reference, ratio, target) and markdown.

/** The lowest of a run's figures (the best time), or undefined when there are none. */
export const lowest = (list) => (list?.length ? Math.min(...list) : undefined);

const fmt = (value, digits) => (value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits));

/**
 * A row compares cargohold with a reference. `better` says which direction wins: for 'lower' (times)
 * the ratio is reference/cargohold, so in every row a ratio above 1 means cargohold is faster/better.
 * `target` is checked against the ratio, or against cargohold's own value when `absolute` is set.
 */
export function row({ name, unit, cargohold, reference, referenceName = 'baseline', better = 'higher', digits = 1, target, absolute }) {
  let ratio;
  if (cargohold !== undefined && reference !== undefined) ratio = better === 'higher' ? cargohold / reference : reference / cargohold;
  if (!Number.isFinite(ratio)) ratio = undefined; // e.g. 0 failures against 0
  let met;
  if (target) {
    const subject = absolute ? cargohold : ratio;
    if (subject !== undefined) met = target.op === '>=' ? subject >= target.value : subject < target.value;
  }
  return { name, unit, cargohold, reference, referenceName, better, ratio, digits, target, absolute, met };
}

export function markdown(rows) {
  const lines = ['| measurement | cargohold | reference | ratio (>1 = cargohold better) | target | met |', '|---|---:|---:|---:|---|:-:|'];
  for (const r of rows) {
    const unit = r.unit ? ` ${r.unit}` : '';
    const target = r.target ? `${r.absolute ? 'cargohold' : 'ratio'} ${r.target.op === '>=' ? '≥' : '<'} ${r.target.value}${r.absolute ? unit : ''}` : '';
    const met = r.met === undefined ? '' : r.met ? 'yes' : '**no**';
    const ratio = r.ratio === undefined ? '–' : `${r.ratio.toFixed(2)}×`;
    // referenceName null: a figure of cargohold's own (e.g. cold start), with nothing to compare against.
    const reference = r.referenceName === null ? '–' : `${r.referenceName}: ${fmt(r.reference, r.digits)}${unit}`;
    lines.push(`| ${r.name} | ${fmt(r.cargohold, r.digits)}${unit} | ${reference} | ${ratio} | ${target} | ${met} |`);
  }
  return lines.join('\n');
}
