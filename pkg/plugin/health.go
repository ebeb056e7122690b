package plugin

import (
	"context"
	"fmt"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// CheckHealth answers the "Save & test" button with one cheap request (page_size=1) that
// proves the URL, the network path and the key, and says how much the key can see.
func (d *Datasource) CheckHealth(ctx context.Context, _ *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	if d.settingsErr != nil {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: d.redact(d.settingsErr.Error())}, nil
	}
	n, err := d.client.CountConversations(ctx, agentsight.Filters{})
	if err != nil {
		_, _, msg := d.describe(err, 0)
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: msg}, nil
	}
	noun := "conversations"
	if n == 1 {
		noun = "conversation"
	}
	return &backend.CheckHealthResult{
		Status:  backend.HealthStatusOk,
		Message: fmt.Sprintf("Connected to AgentSight: the API key can see %d %s", n, noun),
	}, nil
}
