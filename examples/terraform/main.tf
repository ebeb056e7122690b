# AgentSight data source, the "AgentSight overview" dashboard and its alert rules
# (alerting.tf), managed with the Grafana Terraform provider. The plugin itself must already be installed in that Grafana
# (see the plugin's README); Terraform only configures it.

terraform {
  required_version = ">= 1.5.0"
  required_providers {
    grafana = {
      source  = "grafana/grafana"
      version = ">= 3.0.0"
    }
  }
}

provider "grafana" {
  url  = var.grafana_url
  auth = var.grafana_auth
}

resource "grafana_data_source" "agentsight" {
  type = "agentsight-conversations-datasource"
  name = var.datasource_name
  # The dashboard below refers to the data source by this uid.
  uid = "agentsight"
  url = var.agentsight_url

  # Every setting, at its default value; see the plugin's README for what each one does.
  # tests/alerting/terraform_test.go checks these keys and values against the plugin's
  # settings table (pkg/models/settings_spec.go).
  json_data_encoded = jsonencode({
    authHeader            = "Authorization" # header that carries the key
    authScheme            = "Api-Key"       # prefix before the key; "" sends the bare key
    pageSize              = 100             # page_size sent to the API (1-100)
    maxConversations      = 10000           # most conversations one query reads
    maxFilterCombinations = 100             # most filter-value combinations one query expands into (1-1000)
    concurrency           = 4               # most requests in flight (1-32)
    cacheTTL              = "60s"           # response cache; "0s" turns it off
    timeout               = "30s"           # per request
    settleAfter           = "1h"            # older conversations are settled: a refresh reuses them; "0s" turns it off
    settledMaxAge         = "6h"            # how long settled conversations are reused before they are read again
  })

  # Stored encrypted by Grafana; never returned by its API.
  secure_json_data_encoded = jsonencode({
    apiKey = var.agentsight_api_key
  })
}

resource "grafana_folder" "agentsight" {
  title = "AgentSight"
}

resource "grafana_dashboard" "overview" {
  folder      = grafana_folder.agentsight.uid
  config_json = file("${path.module}/../../provisioning/dashboards/agentsight-overview.json")
  overwrite   = true

  # The dashboard's panels name the data source by uid "agentsight".
  depends_on = [grafana_data_source.agentsight]
}

output "dashboard_url" {
  value = grafana_dashboard.overview.url
}
