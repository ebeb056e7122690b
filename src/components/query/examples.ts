import { AgentSightQuery } from '../../types';

export interface QueryExample {
  title: string;
  description: string;
  query: AgentSightQuery;
}

/**
 * The query help's examples. The README's query reference shows the same JSON
 * (src/components/query/QueryHelp.test.tsx checks that every example is there).
 */
export const QUERY_EXAMPLES: QueryExample[] = [
  {
    title: 'Conversations per hour by device',
    description: 'A time series per device, English conversations only.',
    query: { refId: 'A', queryType: 'count', groupBy: 'device', bucket: '1h', filters: { language: 'en' } },
  },
  {
    title: 'Conversations in the range, as one number',
    description: 'For stat panels and alert rules (e.g. fire when A < 10).',
    query: { refId: 'A', queryType: 'count', bucket: 'total' },
  },
  {
    title: 'p90 response time per hour by language',
    description: 'How long customers wait for an answer: the 90th percentile, in seconds, one series per language.',
    query: {
      refId: 'A',
      queryType: 'stats',
      measure: 'response_time',
      aggregation: 'p90',
      groupBy: 'language',
      bucket: '1h',
    },
  },
  {
    title: 'Distinct customers per day',
    description: 'Customers the agent talked to, each counted once per day.',
    query: { refId: 'A', queryType: 'stats', measure: 'customers', bucket: '1d' },
  },
  {
    title: 'p90 response time as one number',
    description: 'For stat panels and alert rules (e.g. fire when A > 60 seconds).',
    query: { refId: 'B', queryType: 'stats', measure: 'response_time', aggregation: 'p90', bucket: 'total' },
  },
  {
    title: 'Messages per hour by sender',
    description: 'Messages sent by customers and by the agent, one series each.',
    query: { refId: 'C', queryType: 'stats', measure: 'sent_messages', groupBy: 'sender', bucket: '1h' },
  },
  {
    title: 'Average conversation length by device',
    description: 'Seconds from start to end of the conversations that ended.',
    query: { refId: 'D', queryType: 'stats', measure: 'duration', aggregation: 'avg', groupBy: 'device' },
  },
  {
    title: 'Mobile conversations as a table',
    description: 'One row per conversation, newest first, at most 100 rows.',
    query: { refId: 'A', queryType: 'conversations', filters: { device: 'mobile' }, limit: 100 },
  },
  {
    title: 'Transcripts that mention a refund',
    description: 'Every message of every conversation with a message containing "refund".',
    query: { refId: 'A', queryType: 'messages', filters: { message_contains: 'refund' } },
  },
  {
    title: 'The transcript of one conversation',
    description: 'Conversation: the numeric id from a Conversations table (or a $conversation variable).',
    query: { refId: 'B', queryType: 'messages', conversationId: 42 },
  },
  {
    title: 'Attachments of one conversation',
    description: 'Files attached to its messages; the plugin never fetches the files.',
    query: { refId: 'A', queryType: 'attachments', conversationId: 42 },
  },
  {
    title: 'Languages seen in the range',
    description: 'Distinct values of a field, for a dashboard variable.',
    query: { refId: 'A', queryType: 'values', field: 'language' },
  },
  {
    title: 'Negative feedback as annotations',
    description:
      'Conversations with negative feedback marked on time-series panels (Dashboard settings → Annotations).',
    query: { refId: 'Anno', queryType: 'annotations', filters: { feedback_sentiment: 'negative' }, limit: 200 },
  },
];
