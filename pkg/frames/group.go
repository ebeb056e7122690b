package frames

import "github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"

// FieldValue is a conversation's value for a group-by or values field ("" when it has none or
// the field is not one of agentsight.Fields), as the client's table of fields reads it.
func FieldValue(c *agentsight.Conversation, field string) string {
	f, ok := agentsight.FieldNamed(field)
	if !ok {
		return ""
	}
	return f.Value(c)
}
