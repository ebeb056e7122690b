import {
  AgentSightFilters,
  AgentSightQuery,
  AgentSightVariableQuery,
  BOOLEAN_FILTER_KEYS,
  FilterValue,
  STRING_FILTER_KEYS,
  ValueField,
  VALUE_FIELDS,
} from './types';

/** A variable query: `{ queryType: 'values', field }`; a bare string (older or hand-written) names the field. */
export function toVariableQuery(query: AgentSightVariableQuery | string | undefined): AgentSightVariableQuery {
  if (typeof query === 'string') {
    const field = (VALUE_FIELDS as readonly string[]).includes(query.trim())
      ? (query.trim() as ValueField)
      : 'language';
    return { refId: 'A', queryType: 'values', field };
  }
  return { ...query, refId: query?.refId || 'A', queryType: 'values', field: query?.field || 'language' };
}

/**
 * The readable definition of a variable query, as Grafana's variable list shows it:
 * "language values (device=mobile, has_messages=true)".
 */
export function variableDefinition(query: AgentSightQuery): string {
  const parts: string[] = [];
  for (const key of STRING_FILTER_KEYS) {
    const value = query.filters?.[key];
    if (!isEmptyFilter(value)) {
      parts.push(`${key}=${Array.isArray(value) ? value.join('|') : value}`);
    }
  }
  for (const key of BOOLEAN_FILTER_KEYS) {
    const value = query.filters?.[key];
    if (typeof value === 'boolean') {
      parts.push(`${key}=${value}`);
    }
  }
  const head = `${query.field || 'language'} values`;
  return parts.length === 0 ? head : `${head} (${parts.join(', ')})`;
}

export function hasConversationId(query: AgentSightQuery): boolean {
  const id = query.conversationId;
  return typeof id === 'number' ? id > 0 : typeof id === 'string' && id.trim() !== '';
}

export function hasFilters(filters: AgentSightFilters | undefined): boolean {
  if (!filters) {
    return false;
  }
  if (BOOLEAN_FILTER_KEYS.some((k) => typeof filters[k] === 'boolean')) {
    return true;
  }
  return STRING_FILTER_KEYS.some((k) => !isEmptyFilter(filters[k]));
}

function isEmptyFilter(v: FilterValue | undefined): boolean {
  return v === undefined || (Array.isArray(v) ? v.every((s) => s === '') : v === '');
}
