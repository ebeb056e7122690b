import { hasConversationId, hasFilters, toVariableQuery, variableDefinition } from './query';
import { AgentSightQuery } from './types';

describe("variableDefinition (the text of Grafana's variable list)", () => {
  it.each<[AgentSightQuery, string]>([
    [{ refId: 'A', queryType: 'values', field: 'language' }, 'language values'],
    [{ refId: 'A', queryType: 'values' }, 'language values'],
    [
      { refId: 'A', queryType: 'values', field: 'city', filters: { device: 'mobile', language: ['en', 'fr'] } },
      'city values (language=en|fr, device=mobile)',
    ],
    [
      { refId: 'A', queryType: 'values', field: 'device', filters: { language: '', has_messages: false } },
      'device values (has_messages=false)',
    ],
  ])('%j → %s', (query, expected) => expect(variableDefinition(query)).toBe(expected));
});

describe('toVariableQuery', () => {
  it('keeps filters and the definition, forces a values query', () => {
    expect(toVariableQuery({ refId: 'V', field: 'city', filters: { device: '$d' }, query: 'x' })).toEqual({
      refId: 'V',
      queryType: 'values',
      field: 'city',
      filters: { device: '$d' },
      query: 'x',
    });
  });

  it('reads an unknown bare string as language', () => {
    expect(toVariableQuery('action_name')).toEqual({ refId: 'A', queryType: 'values', field: 'language' });
  });
});

describe('selection', () => {
  it.each<[AgentSightQuery, boolean]>([
    [{ refId: 'A', conversationId: 42 }, true],
    [{ refId: 'A', conversationId: 0 }, false],
    [{ refId: 'A', conversationId: '$c' }, true],
    [{ refId: 'A', conversationId: ' ' as AgentSightQuery['conversationId'] }, false],
  ])('hasConversationId(%j) = %s', (q, expected) => expect(hasConversationId(q)).toBe(expected));

  it('counts a has_messages of false as a filter, empty strings not', () => {
    expect(hasFilters({ has_messages: false })).toBe(true);
    expect(hasFilters({ language: '', device: [''] })).toBe(false);
  });
});
