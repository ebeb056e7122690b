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
	// One memory budget for every data source the process serves; a wrong setting is logged
	// and the default used, rather than the plugin refusing to start.
	budget, err := plugin.MemoryBudget(os.Getenv)
	if err != nil {
		log.DefaultLogger.Error("invalid plugin setting", "error", err.Error())
	}
	// The budget is the process's: Go's soft memory limit (unless GOMEMLIMIT is set) and twice
	// what the data sources keep between queries.
	plugin.LimitMemory(budget, os.Getenv)
	factory := plugin.NewFactory(budget)
	if err := datasource.Manage(PluginID, factory.NewInstance, datasource.ManageOpts{}); err != nil {
		log.DefaultLogger.Error(err.Error())
		os.Exit(1)
	}
}
