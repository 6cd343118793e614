package main

// Runs the example under the Go SDK's mocks, with an hfToken in its config, and checks that it declares the
// LlmInference component. With EXAMPLE_REGISTRATIONS=<file> it also writes every registration there as JSON
// ({type, name, inputs, secrets}), which the repository's mocha tests compare against sdk/schema.json and
// stacks/Pulumi.dev.yaml.

import (
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

type registration struct {
	Type    string         `json:"type"`
	Name    string         `json:"name"`
	Inputs  map[string]any `json:"inputs"`
	Secrets []string       `json:"secrets"`
}

type recorder struct {
	mu   sync.Mutex
	regs []registration
}

func (r *recorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	secrets := []string{}
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
		key := string(k)
		if at != "" {
			key = at + "." + key
		}
		out[string(k)] = plain(v, key, secrets)
	}
	return out
}

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
	}
	return nil
}

const project = "vllm-autoscaling-example-go"

func TestExampleUnderMocks(t *testing.T) {
	t.Setenv("PULUMI_CONFIG", `{"`+project+`:hfToken": "hf_example_token"}`)
	t.Setenv("PULUMI_CONFIG_SECRET_KEYS", `["`+project+`:hfToken"]`)

	mocks := &recorder{}
	if err := pulumi.RunErr(program, pulumi.WithMocks(project, "dev", mocks)); err != nil {
		t.Fatal(err)
	}

	found := false
	for _, r := range mocks.regs {
		found = found || (r.Type == "vllm-autoscaling:index:LlmInference" && r.Name == "chat")
	}
	if !found {
		t.Errorf("the example declared no LlmInference named chat: %+v", mocks.regs)
	}
	if out := os.Getenv("EXAMPLE_REGISTRATIONS"); out != "" {
		text, err := json.MarshalIndent(mocks.regs, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, text, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
