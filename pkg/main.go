// Command gpx_agentsight is the AgentSight data source's backend, started by Grafana.
package main

import (
	"os"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/plugin"
	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
)

// PluginID is the id in plugin.json.
const PluginID = "agentsight-conversations-datasource"

func main() {
	if err := datasource.Manage(PluginID, plugin.NewDatasource, datasource.ManageOpts{}); err != nil {
		log.DefaultLogger.Error(err.Error())
		os.Exit(1)
	}
}
