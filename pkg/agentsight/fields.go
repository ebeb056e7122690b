package agentsight

// Field is a conversation field a count can be grouped by and a values query can list. The
// table below is the one list of them: the query model's GroupByFields and ValueFields, the
// frames' FieldValue and a count's decoding derive from it.
type Field struct {
	// Name is the field's name in queries, and its JSON name in a conversation (city and
	// country: in its geo_location).
	Name string
	// Value reads the field from a conversation ("" when it has none).
	Value func(*Conversation) string
	// startsDecoder makes a page's decoder of a count's rows grouped by the field: the id,
	// the start and the field, nothing else.
	startsDecoder func() rowDecoder
}

// fieldTable lists the fields in the order the editor offers them. Action names are not
// among them: the API filters by them but no response carries them.
var fieldTable = [...]Field{
	{"language", func(c *Conversation) string { return c.Language }, startsDecoder[languageOf]},
	{"device", func(c *Conversation) string { return c.Device }, startsDecoder[deviceOf]},
	{"country", func(c *Conversation) string {
		if c.GeoLocation == nil {
			return ""
		}
		return c.GeoLocation.Country
	}, startsDecoder[countryOf]},
	{"city", func(c *Conversation) string {
		if c.GeoLocation == nil {
			return ""
		}
		return c.GeoLocation.City
	}, startsDecoder[cityOf]},
	{"customer_id", func(c *Conversation) string { return c.CustomerID }, startsDecoder[customerOf]},
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

// grouping is the part of a count's row that holds the field it groups by: a struct embedded
// into startsRow, which sets the field on the conversation decoded.
type grouping interface{ setOn(*Conversation) }

type noGroup struct{}

func (noGroup) setOn(*Conversation) {}

type languageOf struct {
	Language string `json:"language"`
}

func (g languageOf) setOn(c *Conversation) { c.Language = g.Language }

type deviceOf struct {
	Device string `json:"device"`
}

func (g deviceOf) setOn(c *Conversation) { c.Device = g.Device }

type customerOf struct {
	CustomerID string `json:"customer_id"`
}

func (g customerOf) setOn(c *Conversation) { c.CustomerID = g.CustomerID }

type countryOf struct {
	Geo *struct {
		Country string `json:"country"`
	} `json:"geo_location"`
}

func (g countryOf) setOn(c *Conversation) {
	if g.Geo != nil {
		c.GeoLocation = &GeoLocation{Country: g.Geo.Country}
	}
}

type cityOf struct {
	Geo *struct {
		City string `json:"city"`
	} `json:"geo_location"`
}

func (g cityOf) setOn(c *Conversation) {
	if g.Geo != nil {
		c.GeoLocation = &GeoLocation{City: g.Geo.City}
	}
}
