// The generated Go SDK under the Go SDK's mocks: an LlmInference declared from Go must reach the Node
// component as a remote component with the type token of sdk/schema.json and the camelCase input names and
// values the Node component reads (models[0].autoscaling.maxReplicas, ...).
//
// The arguments are built by reflection from JSON-like data keyed by the schema's property names (the
// `pulumi:"..."` struct tags), not from named Go types: the SDK's type names follow the TypeScript interface
// names (TypeScript `Model` -> Go `ModelArgs`).
package sdktest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	vllm "github.com/vllm-autoscaling/vllm-autoscaling/sdk/go/vllmautoscaling"
)

// registration is one resource the program registered, its inputs as plain JSON values.
type registration struct {
	Type    string
	Name    string
	Inputs  map[string]any
	Secrets []string // paths of secret values (secret-ness may be marked on an enclosing value)
}

type recorder struct {
	mu   sync.Mutex
	regs []registration
}

func (r *recorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	var secrets []string
	inputs := plainMap(args.Inputs, "", &secrets)
	r.mu.Lock()
	r.regs = append(r.regs, registration{args.TypeToken, args.Name, inputs, secrets})
	r.mu.Unlock()
	return args.Name + "-id", args.Inputs, nil
}

func (r *recorder) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

func plainMap(m resource.PropertyMap, at string, secrets *[]string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[string(k)] = plain(v, join(at, string(k)), secrets)
	}
	return out
}

func join(at, key string) string {
	if at == "" {
		return key
	}
	return at + "." + key
}

// plain turns a property value into a JSON value, recording where secrets are.
func plain(v resource.PropertyValue, at string, secrets *[]string) any {
	switch {
	case v.IsSecret():
		*secrets = append(*secrets, at)
		return plain(v.SecretValue().Element, at, secrets)
	case v.IsOutput():
		if v.OutputValue().Secret {
			*secrets = append(*secrets, at)
		}
		return plain(v.OutputValue().Element, at, secrets)
	case v.IsObject():
		return plainMap(v.ObjectValue(), at, secrets)
	case v.IsArray():
		out := []any{}
		for i, e := range v.ArrayValue() {
			out = append(out, plain(e, fmt.Sprintf("%s[%d]", at, i), secrets))
		}
		return out
	case v.IsString():
		return v.StringValue()
	case v.IsNumber():
		return v.NumberValue()
	case v.IsBool():
		return v.BoolValue()
	case v.IsNull():
		return nil
	}
	return fmt.Sprintf("<%s>", v.TypeString())
}

var inputType = reflect.TypeOf((*pulumi.Input)(nil)).Elem()

// fill sets the fields of the struct `v` points into from `data`, keyed by the fields' `pulumi` tags
// (LlmInferenceArgs has no tags: its field names are the capitalized property names).
func fill(t *testing.T, v reflect.Value, data map[string]any, at string) {
	t.Helper()
	for key, value := range data {
		field := fieldFor(v, key)
		if !field.IsValid() {
			t.Fatalf("%s: the Go SDK has no field for %q", join(at, key), key)
		}
		set(t, field, value, join(at, key))
	}
}

func fieldFor(v reflect.Value, key string) reflect.Value {
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		tag := strings.Split(f.Tag.Get("pulumi"), ",")[0]
		if tag == key || (tag == "" && strings.EqualFold(f.Name, key)) {
			return v.Field(i)
		}
	}
	return reflect.Value{}
}

func set(t *testing.T, field reflect.Value, value any, at string) {
	t.Helper()
	typ := field.Type()
	switch {
	case typ.Kind() == reflect.Interface && typ.Implements(inputType):
		// An Input-typed property: give it an Output, the way a program passes config secrets.
		s, ok := value.(secret)
		if !ok {
			t.Fatalf("%s: test data for an Input property must be a secret", at)
		}
		field.Set(reflect.ValueOf(pulumi.ToSecret(pulumi.String(string(s)))).Convert(typ))
	case typ.Kind() == reflect.Pointer:
		p := reflect.New(typ.Elem())
		set(t, p.Elem(), value, at)
		field.Set(p)
	case typ.Kind() == reflect.Struct:
		fill(t, field, value.(map[string]any), at)
	case typ.Kind() == reflect.Slice:
		items := value.([]any)
		s := reflect.MakeSlice(typ, len(items), len(items))
		for i, item := range items {
			set(t, s.Index(i), item, fmt.Sprintf("%s[%d]", at, i))
		}
		field.Set(s)
	case typ.Kind() == reflect.String: // string and the enum types
		field.SetString(value.(string))
	case typ.Kind() == reflect.Float64:
		field.SetFloat(value.(float64))
	case typ.Kind() == reflect.Bool:
		field.SetBool(value.(bool))
	default:
		t.Fatalf("%s: no test support for Go type %s", at, typ)
	}
}

// secret marks test data for an Input property: passed as a secret Output, expected as its string.
type secret string

func expected(v any) any {
	switch v := v.(type) {
	case secret:
		return string(v)
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			out[k] = expected(e)
		}
		return out
	case []any:
		out := []any{}
		for _, e := range v {
			out = append(out, expected(e))
		}
		return out
	}
	return v
}

// llmInferenceToken reads the component's type token from the schema the SDK was generated from.
func llmInferenceToken(t *testing.T) string {
	text, err := os.ReadFile(filepath.Join("..", "..", "schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Resources map[string]json.RawMessage `json:"resources"`
	}
	if err := json.Unmarshal(text, &schema); err != nil {
		t.Fatal(err)
	}
	for token := range schema.Resources {
		if strings.HasSuffix(token, ":LlmInference") {
			return token
		}
	}
	t.Fatal("sdk/schema.json has no LlmInference resource")
	return ""
}

func TestLlmInferenceRegistersTheNodeComponentsInputs(t *testing.T) {
	args := map[string]any{
		"namespace":       "llm",
		"createNamespace": true,
		"models": []any{map[string]any{
			"name":            "qwen-0-5b",
			"modelUrl":        "Qwen/Qwen2.5-0.5B-Instruct",
			"servedModelName": "qwen",
			"gpusPerReplica":  1.0,
			"hfToken":         secret("hf_test_token"),
			"extraArgs":       []any{"--dtype=half"},
			"autoscaling": map[string]any{
				"minReplicas":      0.0,
				"maxReplicas":      4.0,
				"targetQueueDepth": 5.0,
				"cooldownSeconds":  300.0,
				"paused":           false,
				"strategy":         "queue-depth",
			},
		}},
		"keda":       map[string]any{"install": false},
		"monitoring": map[string]any{"install": false, "prometheusUrl": "http://prometheus.monitoring.svc:9090"},
	}

	var sdkArgs vllm.LlmInferenceArgs
	fill(t, reflect.ValueOf(&sdkArgs).Elem(), args, "")

	mocks := &recorder{}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		_, err := vllm.NewLlmInference(ctx, "chat", &sdkArgs)
		return err
	}, pulumi.WithMocks("project", "stack", mocks))
	if err != nil {
		t.Fatal(err)
	}

	if len(mocks.regs) != 1 {
		t.Fatalf("want exactly one registration (the remote component), got %d: %+v", len(mocks.regs), mocks.regs)
	}
	reg := mocks.regs[0]
	if want := llmInferenceToken(t); reg.Type != want || want != "vllm-autoscaling:index:LlmInference" {
		t.Errorf("type token: got %q, schema %q, want vllm-autoscaling:index:LlmInference", reg.Type, want)
	}
	if reg.Name != "chat" {
		t.Errorf("name: got %q", reg.Name)
	}
	if want := expected(args); !reflect.DeepEqual(reg.Inputs, want) {
		got, _ := json.MarshalIndent(reg.Inputs, "", "  ")
		exp, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("inputs differ\n got: %s\nwant: %s", got, exp)
	}
	secretOK := false
	for _, p := range reg.Secrets {
		if strings.HasPrefix("models[0].hfToken", p) {
			secretOK = true
		}
	}
	if !secretOK {
		sort.Strings(reg.Secrets)
		t.Errorf("models[0].hfToken is not registered as a secret (secret paths: %v)", reg.Secrets)
	}
}
