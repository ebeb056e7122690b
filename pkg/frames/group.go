package frames

import "github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"

// FieldValue is a conversation's value for a group-by or values field ("" when it has none).
// action_name has no value here: the API filters by actions but does not list them.
func FieldValue(c *agentsight.Conversation, field string) string {
	switch field {
	case "language":
		return c.Language
	case "device":
		return c.Device
	case "customer_id":
		return c.CustomerID
	case "country", "city":
		if c.GeoLocation == nil {
			return ""
		}
		if field == "country" {
			return c.GeoLocation.Country
		}
		return c.GeoLocation.City
	}
	return ""
}
