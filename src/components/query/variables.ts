import { SelectableValue } from '@grafana/data';
import { getTemplateSrv } from '@grafana/runtime';

/** The dashboard's variables as options (`$name`); none in Explore and alerting. */
export function variableOptions(): Array<SelectableValue<string>> {
  try {
    return getTemplateSrv()
      .getVariables()
      .map((v) => ({ label: `$${v.name}`, value: `$${v.name}`, description: 'Dashboard variable' }));
  } catch {
    return [];
  }
}

/** Options plus the current value when it is not among them (a typed value or a variable). */
export function withCurrent<T extends string>(
  options: Array<SelectableValue<T>>,
  current: T | undefined
): Array<SelectableValue<T>> {
  if (current === undefined || options.some((o) => o.value === current)) {
    return options;
  }
  return [...options, { label: current, value: current }];
}
