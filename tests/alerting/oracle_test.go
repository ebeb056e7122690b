package alerting

// The test oracle: a small model of Grafana's server-side expressions, enough to evaluate the
// rules this project ships and no more. It is test code, not a product feature.
//
// What it models, after Grafana's pkg/expr:
//   - Inputs. A data frame with a time field is a series per number field (its labels those of
//     the field); a frame without one is a number per number field (a numeric frame, as a
//     count with bucket "total" answers). A query that answers no frame, or only empty ones,
//     is NoData.
//   - reduce (sum, mean, min, max, last, count; strict mode: a NaN point gives NaN) turns each
//     series into a number with the series' labels; a number passes through.
//   - math on numbers and literals: + - * / == != < > <= >= && || ! and parentheses, with
//     Grafana's rules: comparisons give 1 or 0, a NaN operand gives NaN, except that && stops
//     at a 0 on its left and || at a non-zero on its left; two sides are joined by labels
//     (equal labels, one side without labels, or one side's labels containing the other's;
//     a single item on each side is joined whatever its labels); an item without a partner is
//     dropped; NoData on either side gives NoData.
//   - threshold (gt, lt, within_range, outside_range) on numbers, as the math it stands for.
//   - The condition's state per item: 0 is Normal, any other number Alerting; NoData (or no
//     item at all) takes the rule's noDataState. A NaN condition is an error of the rule
//     here: Grafana's handling of it is not modelled, and the shipped rules avoid it.
// Math on series, other reducers and modes, and other expression types (resample, classic
// conditions, SQL) are refused with an error naming them.

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// item is one value of an expression's input or output.
type item struct {
	labels data.Labels
	series []float64 // a series' points in time order; nil for a number
	number float64
}

func (it item) isSeries() bool { return it.series != nil }

// results are the items of one refId; noData marks Grafana's NoData value.
type results struct {
	items  []item
	noData bool
}

// fromFrames converts a query's frames as Grafana's expression service does (see above).
func fromFrames(frames data.Frames) (results, error) {
	var out results
	for _, f := range frames {
		if f.Rows() == 0 {
			continue
		}
		hasTime := slices.ContainsFunc(f.Fields, func(fd *data.Field) bool { return fd.Type().Time() })
		for _, fd := range f.Fields {
			if !fd.Type().Numeric() {
				continue
			}
			points := make([]float64, fd.Len())
			for i := range points {
				v, ok := fd.ConcreteAt(i)
				if !ok {
					points[i] = math.NaN()
					continue
				}
				f, err := toFloat(v)
				if err != nil {
					return results{}, fmt.Errorf("field %s: %w", fd.Name, err)
				}
				points[i] = f
			}
			it := item{labels: fd.Labels.Copy()}
			switch {
			case hasTime:
				it.series = points
			case len(points) == 1:
				it.number = points[0]
			default:
				return results{}, fmt.Errorf("numeric frame %q has %d rows: the oracle models one number per field", f.Name, len(points))
			}
			out.items = append(out.items, it)
		}
	}
	out.noData = len(out.items) == 0
	return out, nil
}

func toFloat(v any) (float64, error) {
	switch n := v.(type) {
	case float64:
		return n, nil
	case float32:
		return float64(n), nil
	case int64:
		return float64(n), nil
	case int32:
		return float64(n), nil
	case int:
		return float64(n), nil
	case uint64:
		return float64(n), nil
	}
	return 0, fmt.Errorf("value %v (%T) is not a number", v, v)
}

// expression is one expression query of a rule.
type expression struct {
	refID string
	model struct {
		Type       string `json:"type"`
		Expression string `json:"expression"`
		Reducer    string `json:"reducer"`
		Settings   struct {
			Mode string `json:"mode"`
		} `json:"settings"`
		Conditions []struct {
			Evaluator struct {
				Type   string    `json:"type"`
				Params []float64 `json:"params"`
			} `json:"evaluator"`
		} `json:"conditions"`
	}
}

func parseExpression(q ruleQuery) (expression, error) {
	e := expression{refID: q.RefID}
	raw, err := json.Marshal(q.Model)
	if err != nil {
		return e, err
	}
	if err := json.Unmarshal(raw, &e.model); err != nil {
		return e, fmt.Errorf("%s: %w", q.RefID, err)
	}
	return e, nil
}

// evaluate runs the rule's expressions over the data queries' results, in dependency order.
func evaluate(exprs []expression, vars map[string]results) error {
	pending := slices.Clone(exprs)
	for len(pending) > 0 {
		progressed := false
		for i := 0; i < len(pending); i++ {
			e := pending[i]
			needs, err := e.needs()
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(needs, func(ref string) bool { _, ok := vars[ref]; return !ok }) {
				r, err := e.run(vars)
				if err != nil {
					return fmt.Errorf("%s (%s): %w", e.refID, e.model.Type, err)
				}
				vars[e.refID] = r
				pending = slices.Delete(pending, i, i+1)
				i--
				progressed = true
			}
		}
		if !progressed {
			return fmt.Errorf("expressions %v refer to refIds that do not exist or to each other", refIDs(pending))
		}
	}
	return nil
}

func refIDs(exprs []expression) []string {
	var out []string
	for _, e := range exprs {
		out = append(out, e.refID)
	}
	return out
}

func (e expression) needs() ([]string, error) {
	switch e.model.Type {
	case "reduce", "threshold":
		return []string{e.model.Expression}, nil
	case "math":
		toks, err := tokenize(e.model.Expression)
		if err != nil {
			return nil, err
		}
		var refs []string
		for _, t := range toks {
			if t.kind == tokVar {
				refs = append(refs, t.text)
			}
		}
		return refs, nil
	}
	return nil, fmt.Errorf("%s: expression type %q is not modelled by the oracle", e.refID, e.model.Type)
}

func (e expression) run(vars map[string]results) (results, error) {
	switch e.model.Type {
	case "reduce":
		if e.model.Settings.Mode != "" {
			return results{}, fmt.Errorf("reduce mode %q is not modelled", e.model.Settings.Mode)
		}
		return reduce(vars[e.model.Expression], e.model.Reducer)
	case "math":
		return evalMath(e.model.Expression, vars)
	case "threshold":
		if len(e.model.Conditions) != 1 {
			return results{}, fmt.Errorf("%d threshold conditions: the oracle models one", len(e.model.Conditions))
		}
		ev := e.model.Conditions[0].Evaluator
		return threshold(vars[e.model.Expression], ev.Type, ev.Params)
	}
	return results{}, fmt.Errorf("not modelled")
}

func reduce(in results, reducer string) (results, error) {
	if in.noData {
		return in, nil
	}
	out := results{}
	for _, it := range in.items {
		if !it.isSeries() {
			out.items = append(out.items, it)
			continue
		}
		var v float64
		p := it.series
		switch reducer {
		case "sum", "mean":
			for _, x := range p {
				v += x
			}
			if reducer == "mean" {
				v /= float64(len(p))
			}
		case "min", "max":
			v = math.NaN()
			for i, x := range p {
				if i == 0 || math.IsNaN(x) || (reducer == "min" && x < v) || (reducer == "max" && x > v) {
					v = x
				}
				if math.IsNaN(x) {
					break
				}
			}
		case "last":
			v = math.NaN()
			if len(p) > 0 {
				v = p[len(p)-1]
			}
		case "count":
			v = float64(len(p))
		default:
			return results{}, fmt.Errorf("reducer %q is not modelled", reducer)
		}
		out.items = append(out.items, item{labels: it.labels, number: v})
	}
	return out, nil
}

func threshold(in results, typ string, params []float64) (results, error) {
	want := map[string]int{"gt": 1, "lt": 1, "within_range": 2, "outside_range": 2}
	n, ok := want[typ]
	if !ok || len(params) != n {
		return results{}, fmt.Errorf("threshold %s with %d params is not modelled", typ, len(params))
	}
	if in.noData {
		return in, nil
	}
	out := results{}
	for _, it := range in.items {
		if it.isSeries() {
			return results{}, fmt.Errorf("threshold on a series: reduce it first")
		}
		var v float64
		switch typ {
		case "gt":
			v = binaryOp(">", it.number, params[0])
		case "lt":
			v = binaryOp("<", it.number, params[0])
		case "within_range":
			v = binaryOp("&&", binaryOp(">", it.number, params[0]), binaryOp("<", it.number, params[1]))
		case "outside_range":
			v = binaryOp("||", binaryOp("<", it.number, params[0]), binaryOp(">", it.number, params[1]))
		}
		out.items = append(out.items, item{labels: it.labels, number: v})
	}
	return out, nil
}

// binaryOp is Grafana's mathexp binaryOp on two floats.
func binaryOp(op string, a, b float64) float64 {
	switch {
	case op == "||" && a != 0:
		return 1
	case op == "&&" && a == 0:
		return 0
	case math.IsNaN(a) || math.IsNaN(b):
		return math.NaN()
	}
	truth := func(ok bool) float64 {
		if ok {
			return 1
		}
		return 0
	}
	switch op {
	case "+":
		return a + b
	case "-":
		return a - b
	case "*":
		return a * b
	case "/":
		return a / b
	case "==":
		return truth(a == b)
	case "!=":
		return truth(a != b)
	case "<":
		return truth(a < b)
	case ">":
		return truth(a > b)
	case "<=":
		return truth(a <= b)
	case ">=":
		return truth(a >= b)
	case "||":
		return truth(a != 0 || b != 0)
	case "&&":
		return truth(a != 0 && b != 0)
	}
	return math.NaN()
}

// Math: a tokenizer and a precedence-climbing evaluator.

type tokKind int

const (
	tokNum tokKind = iota
	tokVar
	tokOp
)

type token struct {
	kind tokKind
	text string
	num  float64
}

func tokenize(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		c := rune(s[i])
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '$':
			j := i + 1
			if j < len(s) && s[j] == '{' {
				end := strings.IndexByte(s[j:], '}')
				if end < 0 {
					return nil, fmt.Errorf("unclosed ${ in %q", s)
				}
				out = append(out, token{kind: tokVar, text: s[j+1 : j+end]})
				i = j + end + 1
				continue
			}
			for j < len(s) && (unicode.IsLetter(rune(s[j])) || unicode.IsDigit(rune(s[j])) || s[j] == '_') {
				j++
			}
			if j == i+1 {
				return nil, fmt.Errorf("$ without a name in %q", s)
			}
			out = append(out, token{kind: tokVar, text: s[i+1 : j]})
			i = j
		case unicode.IsDigit(c) || c == '.':
			j := i
			for j < len(s) && (unicode.IsDigit(rune(s[j])) || s[j] == '.' || s[j] == 'e') {
				j++
			}
			f, err := strconv.ParseFloat(s[i:j], 64)
			if err != nil {
				return nil, fmt.Errorf("number %q in %q", s[i:j], s)
			}
			out = append(out, token{kind: tokNum, num: f})
			i = j
		default:
			op := ""
			for _, o := range []string{"&&", "||", "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "!", "(", ")"} {
				if strings.HasPrefix(s[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				return nil, fmt.Errorf("%q at %d of %q is not modelled (functions, %% and ** are not)", s[i:i+1], i, s)
			}
			out = append(out, token{kind: tokOp, text: op})
			i += len(op)
		}
	}
	return out, nil
}

// precedence follows Grafana's math parser (after Go's): || < && < comparisons < + - < * /.
var precedence = map[string]int{"||": 1, "&&": 2, "==": 3, "!=": 3, "<": 3, ">": 3, "<=": 3, ">=": 3, "+": 4, "-": 4, "*": 5, "/": 5}

type mathParser struct {
	toks []token
	pos  int
	vars map[string]results
}

func evalMath(expr string, vars map[string]results) (results, error) {
	toks, err := tokenize(expr)
	if err != nil {
		return results{}, err
	}
	p := &mathParser{toks: toks, vars: vars}
	r, err := p.binary(1)
	if err != nil {
		return results{}, err
	}
	if p.pos != len(toks) {
		return results{}, fmt.Errorf("unexpected %q in %q", toks[p.pos].text, expr)
	}
	return r, nil
}

func (p *mathParser) binary(minPrec int) (results, error) {
	left, err := p.unary()
	if err != nil {
		return results{}, err
	}
	for p.pos < len(p.toks) {
		t := p.toks[p.pos]
		prec, ok := precedence[t.text]
		if t.kind != tokOp || !ok || prec < minPrec {
			break
		}
		p.pos++
		right, err := p.binary(prec + 1)
		if err != nil {
			return results{}, err
		}
		if left, err = combine(t.text, left, right); err != nil {
			return results{}, err
		}
	}
	return left, nil
}

func (p *mathParser) unary() (results, error) {
	if p.pos >= len(p.toks) {
		return results{}, fmt.Errorf("expression ends early")
	}
	t := p.toks[p.pos]
	p.pos++
	switch {
	case t.kind == tokNum:
		// A literal is a scalar: one unlabelled item that joins with every item.
		return results{items: []item{{number: t.num}}}, nil
	case t.kind == tokVar:
		r, ok := p.vars[t.text]
		if !ok {
			return results{}, fmt.Errorf("$%s is not a refId of the rule", t.text)
		}
		return r, nil
	case t.text == "(":
		r, err := p.binary(1)
		if err != nil {
			return results{}, err
		}
		if p.pos >= len(p.toks) || p.toks[p.pos].text != ")" {
			return results{}, fmt.Errorf("missing )")
		}
		p.pos++
		return r, nil
	case t.text == "-" || t.text == "!":
		r, err := p.unary()
		if err != nil || r.noData {
			return r, err
		}
		out := results{}
		for _, it := range r.items {
			if it.isSeries() {
				return results{}, fmt.Errorf("math on a series is not modelled: reduce it first")
			}
			v := -it.number
			if t.text == "!" {
				v = binaryOp("==", it.number, 0)
			}
			if math.IsNaN(it.number) {
				v = math.NaN()
			}
			out.items = append(out.items, item{labels: it.labels, number: v})
		}
		return out, nil
	}
	return results{}, fmt.Errorf("unexpected %q", t.text)
}

// combine applies op to two sides joined by labels, as Grafana's union does.
func combine(op string, a, b results) (results, error) {
	if a.noData || b.noData {
		return results{noData: true}, nil
	}
	out := results{}
	for _, x := range a.items {
		for _, y := range b.items {
			if x.isSeries() || y.isSeries() {
				return results{}, fmt.Errorf("math on a series is not modelled: reduce it first")
			}
			labels, ok := joinLabels(x.labels, y.labels)
			if !ok {
				continue
			}
			out.items = append(out.items, item{labels: labels, number: binaryOp(op, x.number, y.number)})
		}
	}
	if len(out.items) == 0 && len(a.items) == 1 && len(b.items) == 1 {
		out.items = append(out.items, item{number: binaryOp(op, a.items[0].number, b.items[0].number)})
	}
	return out, nil
}

func joinLabels(a, b data.Labels) (data.Labels, bool) {
	switch {
	case a.Equals(b) || len(b) == 0:
		return a, true
	case len(a) == 0:
		return b, true
	case len(a) == len(b):
		return nil, false
	case a.Contains(b):
		return a, true
	case b.Contains(a):
		return b, true
	}
	return nil, false
}

// instance is one alert instance of an evaluation: its labels (the rule's and the series')
// and its state.
type instance struct {
	Labels string // data.Labels.String() of the merged labels
	State  string // Normal, Alerting, NoData or Error
}

// conditionStates turns the condition's results into alert instances.
func conditionStates(r rule, cond results) ([]instance, error) {
	if cond.noData || len(cond.items) == 0 {
		state := map[string]string{"NoData": "NoData", "OK": "Normal", "Alerting": "Alerting", "KeepLast": "KeepLast"}[r.NoDataState]
		return []instance{{Labels: mergeLabels(r.Labels, nil), State: state}}, nil
	}
	var out []instance
	for _, it := range cond.items {
		if it.isSeries() {
			return nil, fmt.Errorf("condition %s is a series: reduce it first", r.Condition)
		}
		if math.IsNaN(it.number) {
			return nil, fmt.Errorf("condition %s is NaN for %s: not modelled (make the rule avoid it)", r.Condition, it.labels)
		}
		state := "Normal"
		if it.number != 0 {
			state = "Alerting"
		}
		out = append(out, instance{Labels: mergeLabels(r.Labels, it.labels), State: state})
	}
	slices.SortFunc(out, func(a, b instance) int { return strings.Compare(a.Labels, b.Labels) })
	return out, nil
}

func mergeLabels(rule map[string]string, series data.Labels) string {
	l := data.Labels{}
	for k, v := range rule {
		l[k] = v
	}
	for k, v := range series {
		l[k] = v
	}
	return l.String()
}

// The oracle's own cases, each checked by hand against Grafana's documented behaviour.
func TestOracle(t *testing.T) {
	de, en := data.Labels{"language": "de"}, data.Labels{"language": "en"}
	vars := map[string]results{
		"A":     {items: []item{{number: 10}}},
		"Zero":  {items: []item{{number: 0}}},
		"Lang":  {items: []item{{labels: de, series: []float64{2, 3}}, {labels: en, series: []float64{5, 5}}}},
		"Yest":  {items: []item{{labels: de, number: 20}, {labels: en, number: 10}, {labels: data.Labels{"language": "fr"}, number: 4}}},
		"Empty": {noData: true},
	}
	sum, err := reduce(vars["Lang"], "sum")
	if err != nil {
		t.Fatal(err)
	}
	vars["Sum"] = sum
	for _, tc := range []struct {
		expr string
		want string // labels=value, sorted by evaluation order; "NoData" for NoData
	}{
		{"$A / ($A + ($A == 0))", "{}=1"},
		{"$Zero / ($Zero + ($Zero == 0))", "{}=0"},
		{"$Zero / $Zero > 0.2", "{}=NaN"},
		{"$Sum / $Yest", "{language=de}=0.25 {language=en}=1"},
		{"$Yest >= 10 && $Sum / $Yest < 0.5", "{language=de}=1 {language=en}=0"},
		{"0 && $Zero / $Zero", "{}=0"},
		{"-$A * 2 + 1", "{}=-19"},
		{"!$Zero || 0", "{}=1"},
		{"$Empty / $A", "NoData"},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			r, err := evalMath(tc.expr, vars)
			if err != nil {
				t.Fatal(err)
			}
			if got := show(r); got != tc.want {
				t.Errorf("%s = %s, want %s", tc.expr, got, tc.want)
			}
		})
	}
	for _, bad := range []string{"$Lang * 2", "abs($A)", "$A % 2", "$Missing + 1"} {
		if _, err := evalMath(bad, vars); err == nil {
			t.Errorf("%s: no error, want one (not modelled)", bad)
		}
	}
	if r, _ := threshold(vars["A"], "lt", []float64{1}); show(r) != "{}=0" {
		t.Errorf("threshold 10 < 1 = %s", show(r))
	}
	if r, _ := threshold(vars["Zero"], "lt", []float64{1}); show(r) != "{}=1" {
		t.Errorf("threshold 0 < 1 = %s", show(r))
	}
}

func show(r results) string {
	if r.noData {
		return "NoData"
	}
	var parts []string
	for _, it := range r.items {
		parts = append(parts, fmt.Sprintf("{%s}=%v", it.labels, it.number))
	}
	return strings.Join(parts, " ")
}
