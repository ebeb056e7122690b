import { CustomVariableSupport, DataQueryRequest, DataQueryResponse } from '@grafana/data';
import { Observable } from 'rxjs';

import { VariableQueryEditor } from './components/VariableQueryEditor';
import { toVariableQuery } from './query';
import { AgentSightQuery, AgentSightVariableQuery, EditorDataSource } from './types';

/**
 * Dashboard variables whose options are the distinct values of one field (a `values` query).
 * It is given the data source's query rather than the data source, so that this file and the
 * editors it registers never import the data source.
 */
export class AgentSightVariableSupport extends CustomVariableSupport<EditorDataSource, AgentSightVariableQuery> {
  editor = VariableQueryEditor;

  constructor(
    private readonly runQuery: (request: DataQueryRequest<AgentSightQuery>) => Observable<DataQueryResponse>
  ) {
    super();
  }

  /** Runs the variable's values query; its readable definition (`query`) stays in the dashboard. */
  query(request: DataQueryRequest<AgentSightVariableQuery>): Observable<DataQueryResponse> {
    const targets = request.targets.map((t): AgentSightQuery => {
      const { query: _definition, ...values } = toVariableQuery(t);
      return { ...values, refId: t.refId || 'A' };
    });
    return this.runQuery({ ...request, targets });
  }
}
