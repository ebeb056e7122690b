# The alert rules of provisioning/alerting/agentsight-rules.yaml, managed with the Grafana
# Terraform provider: the same queries, expressions, states, labels and annotations (the file
# explains each rule). tests/alerting/terraform_test.go parses this file and fails when it
# differs from the provisioned rules, so change both together.

resource "grafana_rule_group" "agentsight" {
  name             = "AgentSight"
  folder_uid       = grafana_folder.agentsight.uid
  interval_seconds = 60

  rule {
    uid            = "agentsight-no-conversations"
    name           = "No conversations in the last hour"
    condition      = "B"
    for            = "10m"
    no_data_state  = "Alerting"
    exec_err_state = "Error"
    labels = {
      severity = "critical"
      service  = "agentsight"
    }
    # __dashboardUid__ and __panelId__ link the rule to its panel (dashboardUid and panelId
    # in the provisioning file).
    annotations = {
      summary = "No conversation started in the last hour"
      description = chomp(<<-EOT
        The AgentSight API lists no conversation that started in the last hour, for 10 minutes now. Customers may not reach the agent.
        1. Open the Conversations panel of the AgentSight overview dashboard and widen the range: when did the last conversation start?
        2. Check the agent's widget or channel on the website, and AgentSight's status page.
        3. Is the data source healthy? Connections -> Data sources -> AgentSight -> Save & test.
        4. A quiet hour can be normal at night for a small agent: raise the range of query A (e.g. 3 hours) rather than silencing the rule.
        EOT
      )
      runbook_url      = "https://github.com/agentsight/agentsight-conversations-datasource#alerting"
      __dashboardUid__ = "agentsight-overview"
      __panelId__      = "2"
    }

    data {
      ref_id     = "A"
      query_type = "count"
      relative_time_range {
        from = 3600
        to   = 0
      }
      datasource_uid = grafana_data_source.agentsight.uid
      model = jsonencode({
        refId         = "A"
        queryType     = "count"
        bucket        = "total"
        intervalMs    = 1000
        maxDataPoints = 43200
      })
    }

    data {
      ref_id = "B"
      relative_time_range {
        from = 0
        to   = 0
      }
      datasource_uid = "__expr__"
      model = jsonencode({
        refId      = "B"
        type       = "threshold"
        expression = "A"
        datasource = {
          type = "__expr__"
          uid  = "__expr__"
        }
        conditions = [{
          evaluator = {
            type   = "lt"
            params = [1]
          }
        }]
      })
    }
  }

  rule {
    uid            = "agentsight-negative-feedback"
    name           = "Negative feedback above 20 % of conversations in the last hour"
    condition      = "D"
    for            = "5m"
    no_data_state  = "OK"
    exec_err_state = "Error"
    labels = {
      severity = "warning"
      service  = "agentsight"
    }
    # __dashboardUid__ and __panelId__ link the rule to its panel (dashboardUid and panelId
    # in the provisioning file).
    annotations = {
      summary = "{{ humanizePercentage $values.C.Value }} of the last hour's conversations got negative feedback"
      description = chomp(<<-EOT
        {{ humanizePercentage $values.C.Value }} of the conversations that started in the last hour carry negative feedback (the rule's limit is 20 %), for 5 minutes now.
        1. Open the Negative feedback per hour panel of the AgentSight overview dashboard: a burst or a trend?
        2. Read the transcripts: a table or Explore query of type messages with the filter feedback_sentiment = negative.
        3. Look for a common topic or a recent change of the agent (prompt, knowledge, an action that fails).
        EOT
      )
      runbook_url      = "https://github.com/agentsight/agentsight-conversations-datasource#alerting"
      __dashboardUid__ = "agentsight-overview"
      __panelId__      = "30"
    }

    data {
      ref_id     = "A"
      query_type = "count"
      relative_time_range {
        from = 3600
        to   = 0
      }
      datasource_uid = grafana_data_source.agentsight.uid
      model = jsonencode({
        refId         = "A"
        queryType     = "count"
        bucket        = "total"
        intervalMs    = 1000
        maxDataPoints = 43200
      })
    }

    data {
      ref_id     = "B"
      query_type = "count"
      relative_time_range {
        from = 3600
        to   = 0
      }
      datasource_uid = grafana_data_source.agentsight.uid
      model = jsonencode({
        refId     = "B"
        queryType = "count"
        bucket    = "total"
        filters = {
          feedback_sentiment = "negative"
        }
        intervalMs    = 1000
        maxDataPoints = 43200
      })
    }

    data {
      ref_id = "C"
      relative_time_range {
        from = 0
        to   = 0
      }
      datasource_uid = "__expr__"
      model = jsonencode({
        refId      = "C"
        type       = "math"
        expression = "$B / ($A + ($A == 0))"
        datasource = {
          type = "__expr__"
          uid  = "__expr__"
        }
      })
    }

    data {
      ref_id = "D"
      relative_time_range {
        from = 0
        to   = 0
      }
      datasource_uid = "__expr__"
      model = jsonencode({
        refId      = "D"
        type       = "threshold"
        expression = "C"
        datasource = {
          type = "__expr__"
          uid  = "__expr__"
        }
        conditions = [{
          evaluator = {
            type   = "gt"
            params = [0.2]
          }
        }]
      })
    }
  }

  rule {
    uid            = "agentsight-language-drop"
    name           = "Conversations in a language dropped by half against the same hour yesterday"
    condition      = "D"
    for            = "10m"
    no_data_state  = "OK"
    exec_err_state = "Error"
    labels = {
      severity = "warning"
      service  = "agentsight"
    }
    # __dashboardUid__ and __panelId__ link the rule to its panel (dashboardUid and panelId
    # in the provisioning file).
    annotations = {
      summary = "Conversations in {{ $labels.language }} fell to {{ humanizePercentage $values.C.Value }} of the same hour yesterday"
      description = chomp(<<-EOT
        {{ $values.LastHour.Value }} conversations in {{ $labels.language }} started in the last hour, against {{ $values.Yesterday.Value }} in the same hour yesterday (one alert per language).
        1. Open the Conversations by language panel of the AgentSight overview dashboard, filtered to {{ $labels.language }}: a drop or a gap?
        2. Check what serves that language: a localised page, widget or channel, its translations, a routing rule.
        3. A holiday in that language's countries explains a drop; silence this instance for the day.
        EOT
      )
      runbook_url      = "https://github.com/agentsight/agentsight-conversations-datasource#alerting"
      __dashboardUid__ = "agentsight-overview"
      __panelId__      = "7"
    }

    data {
      ref_id     = "A"
      query_type = "count"
      relative_time_range {
        from = 3600
        to   = 0
      }
      datasource_uid = grafana_data_source.agentsight.uid
      model = jsonencode({
        refId         = "A"
        queryType     = "count"
        groupBy       = "language"
        bucket        = "1h"
        intervalMs    = 1000
        maxDataPoints = 43200
      })
    }

    data {
      ref_id     = "B"
      query_type = "count"
      relative_time_range {
        from = 90000
        to   = 86400
      }
      datasource_uid = grafana_data_source.agentsight.uid
      model = jsonencode({
        refId         = "B"
        queryType     = "count"
        groupBy       = "language"
        bucket        = "1h"
        intervalMs    = 1000
        maxDataPoints = 43200
      })
    }

    data {
      ref_id = "LastHour"
      relative_time_range {
        from = 0
        to   = 0
      }
      datasource_uid = "__expr__"
      model = jsonencode({
        refId      = "LastHour"
        type       = "reduce"
        reducer    = "sum"
        expression = "A"
        datasource = {
          type = "__expr__"
          uid  = "__expr__"
        }
      })
    }

    data {
      ref_id = "Yesterday"
      relative_time_range {
        from = 0
        to   = 0
      }
      datasource_uid = "__expr__"
      model = jsonencode({
        refId      = "Yesterday"
        type       = "reduce"
        reducer    = "sum"
        expression = "B"
        datasource = {
          type = "__expr__"
          uid  = "__expr__"
        }
      })
    }

    data {
      ref_id = "C"
      relative_time_range {
        from = 0
        to   = 0
      }
      datasource_uid = "__expr__"
      model = jsonencode({
        refId      = "C"
        type       = "math"
        expression = "$LastHour / $Yesterday"
        datasource = {
          type = "__expr__"
          uid  = "__expr__"
        }
      })
    }

    data {
      ref_id = "D"
      relative_time_range {
        from = 0
        to   = 0
      }
      datasource_uid = "__expr__"
      model = jsonencode({
        refId      = "D"
        type       = "math"
        expression = "$Yesterday >= 10 && $C < 0.5"
        datasource = {
          type = "__expr__"
          uid  = "__expr__"
        }
      })
    }
  }

  rule {
    uid            = "agentsight-slow-replies"
    name           = "p90 agent response time above 60 s for 10 minutes"
    condition      = "C"
    for            = "10m"
    no_data_state  = "OK"
    exec_err_state = "Error"
    labels = {
      severity = "warning"
      service  = "agentsight"
    }
    # __dashboardUid__ and __panelId__ link the rule to its panel (dashboardUid and panelId
    # in the provisioning file).
    annotations = {
      summary = "90 % of the agent's replies in the last half hour took up to {{ humanizeDuration $values.P90.Value }}"
      description = chomp(<<-EOT
        Customers of the conversations started in the last half hour waited more than a minute for one reply in ten (p90 of the agent's response times: {{ humanizeDuration $values.P90.Value }}), for 10 minutes now.
        1. Open the p90 response time by language panel of the AgentSight overview dashboard: one language or all of them?
        2. Read a slow transcript: a messages query over the last half hour, in Explore.
        3. Check the agent's model provider and the hand-off to humans (a queue, the staffing of the hour).
        EOT
      )
      runbook_url      = "https://github.com/agentsight/agentsight-conversations-datasource#alerting"
      __dashboardUid__ = "agentsight-overview"
      __panelId__      = "33"
    }

    data {
      ref_id     = "A"
      query_type = "stats"
      relative_time_range {
        from = 1800
        to   = 0
      }
      datasource_uid = grafana_data_source.agentsight.uid
      model = jsonencode({
        refId         = "A"
        queryType     = "stats"
        measure       = "response_time"
        aggregation   = "p90"
        bucket        = "total"
        intervalMs    = 1000
        maxDataPoints = 43200
      })
    }

    data {
      ref_id     = "B"
      query_type = "stats"
      relative_time_range {
        from = 1800
        to   = 0
      }
      datasource_uid = grafana_data_source.agentsight.uid
      model = jsonencode({
        refId         = "B"
        queryType     = "stats"
        measure       = "response_time"
        aggregation   = "sum"
        bucket        = "total"
        intervalMs    = 1000
        maxDataPoints = 43200
      })
    }

    data {
      ref_id = "P90"
      relative_time_range {
        from = 0
        to   = 0
      }
      datasource_uid = "__expr__"
      model = jsonencode({
        refId      = "P90"
        type       = "math"
        expression = "$A"
        datasource = {
          type = "__expr__"
          uid  = "__expr__"
        }
      })
    }

    data {
      ref_id = "C"
      relative_time_range {
        from = 0
        to   = 0
      }
      datasource_uid = "__expr__"
      model = jsonencode({
        refId      = "C"
        type       = "math"
        expression = "$B > 0 && $P90 > 60"
        datasource = {
          type = "__expr__"
          uid  = "__expr__"
        }
      })
    }
  }
}
