package agentsight

// Field is a conversation field a count can be grouped by and a values query can list. The
// table below is the one list of them: the query model's GroupByFields and ValueFields and
// the frames' FieldValue derive from it.
type Field struct {
	// Name is the field's name in queries, and its JSON name in a conversation (city and
	// country: in its geo_location).
	Name string
	// Value reads the field from a conversation ("" when it has none).
	Value func(*Conversation) string
}

// fieldTable lists the fields in the order the editor offers them. Action names are not
// among them: the API filters by them but no response carries them.
var fieldTable = [...]Field{
	{"language", func(c *Conversation) string { return c.Language }},
	{"device", func(c *Conversation) string { return c.Device }},
	{"country", func(c *Conversation) string {
		if c.GeoLocation == nil {
			return ""
		}
		return c.GeoLocation.Country
	}},
	{"city", func(c *Conversation) string {
		if c.GeoLocation == nil {
			return ""
		}
		return c.GeoLocation.City
	}},
	{"customer_id", func(c *Conversation) string { return c.CustomerID }},
}

// Fields returns the conversation fields, in the order the editor offers them.
func Fields() []Field { return append([]Field(nil), fieldTable[:]...) }

// FieldNames returns the fields' names, in the same order.
func FieldNames() []string {
	names := make([]string, len(fieldTable))
	for i, f := range fieldTable {
		names[i] = f.Name
	}
	return names
}

// FieldNamed returns the field of that name.
func FieldNamed(name string) (Field, bool) {
	for _, f := range fieldTable {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}
