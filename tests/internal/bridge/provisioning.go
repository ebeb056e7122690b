package bridge

import (
	"fmt"
	"os"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/agentsight/agentsight-conversations-datasource/tests/internal/pluginhost"
)

// provisioningFile is the part of a Grafana data source provisioning file the bridge reads.
type provisioningFile struct {
	Datasources []struct {
		Name           string            `yaml:"name"`
		UID            string            `yaml:"uid"`
		Type           string            `yaml:"type"`
		OrgID          int64             `yaml:"orgId"`
		URL            string            `yaml:"url"`
		JSONData       map[string]any    `yaml:"jsonData"`
		SecureJSONData map[string]string `yaml:"secureJsonData"`
	} `yaml:"datasources"`
}

// Provisioned is one data source of a provisioning file, as Grafana holds it after start-up:
// environment variables expanded, the secure fields decrypted.
type Provisioned struct {
	DataSource pluginhost.DataSource
	Type       string
	OrgID      int64
}

// LoadProvisioning reads the data source uid from a Grafana provisioning file, expanding
// $VAR and ${VAR} with env as Grafana expands them with its environment.
func LoadProvisioning(path, uid string, env map[string]string) (Provisioned, error) {
	raw, err := os.ReadFile(path) // #nosec G304 -- a test reads the repository's own provisioning file
	if err != nil {
		return Provisioned{}, err
	}
	expanded := os.Expand(string(raw), func(name string) string { return env[name] })
	var f provisioningFile
	if err := yaml.Unmarshal([]byte(expanded), &f); err != nil {
		return Provisioned{}, fmt.Errorf("%s: %w", path, err)
	}
	for _, d := range f.Datasources {
		if d.UID != uid {
			continue
		}
		return Provisioned{
			DataSource: pluginhost.DataSource{
				UID:      d.UID,
				Name:     d.Name,
				URL:      d.URL,
				JSONData: d.JSONData,
				APIKey:   d.SecureJSONData["apiKey"],
				Updated:  time.Unix(0, 0),
			},
			Type:  d.Type,
			OrgID: d.OrgID,
		}, nil
	}
	return Provisioned{}, fmt.Errorf("%s: no data source with uid %q", path, uid)
}
