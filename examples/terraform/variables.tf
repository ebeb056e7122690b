variable "grafana_url" {
  description = "Base URL of the Grafana instance, e.g. http://localhost:3000"
  type        = string
  default     = "http://localhost:3000"
}

variable "grafana_auth" {
  description = "A Grafana service account token (or \"user:password\") with permission to manage data sources, folders and dashboards"
  type        = string
  sensitive   = true
}

variable "datasource_name" {
  description = "Name of the data source in Grafana"
  type        = string
  default     = "AgentSight"
}

variable "agentsight_url" {
  description = "AgentSight API base URL, without a trailing /api"
  type        = string
  default     = "https://api.agentsight.io"
}

variable "agentsight_api_key" {
  description = "AgentSight API key (stored encrypted by Grafana)"
  type        = string
  sensitive   = true
}
