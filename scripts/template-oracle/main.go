// Command template-oracle renders Ferry's golden template cases with Go's
// text/template and sprig, the way ESO's template engine v2 does.
//
// Usage: template-oracle CASES.json > EXPECTED.json
//
//	template-oracle -certs RESULTS.json (see certcheck.go)
//
// CASES.json is an array of {name, template, data, delims?, jsonData?}.
// data is an object of strings (ESO's context, map[string]string) unless
// jsonData is true: then data is any JSON value, decoded to map[string]any
// (used for cases that need nested data). The output is an array of
// {name, output} or {name, error}, in the order of the cases.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"sigs.k8s.io/yaml"
)

type testCase struct {
	Name     string          `json:"name"`
	Template string          `json:"template"`
	Data     json.RawMessage `json:"data"`
	Delims   []string        `json:"delims,omitempty"`
	JSONData bool            `json:"jsonData,omitempty"`
}

type result struct {
	Name   string  `json:"name"`
	Output *string `json:"output,omitempty"`
	Error  *string `json:"error,omitempty"`
}

// funcMap is sprig's text function map without the I/O functions ESO
// removed, plus ESO's YAML functions (same semantics as ESO's yaml.go).
func funcMap() template.FuncMap {
	fm := sprig.TxtFuncMap()
	delete(fm, "env")
	delete(fm, "expandenv")
	delete(fm, "getHostByName")
	fm["toYaml"] = func(v any) string {
		out, err := yaml.Marshal(v)
		if err != nil {
			return ""
		}
		return strings.TrimSuffix(string(out), "\n")
	}
	fm["fromYaml"] = func(s string) map[string]any {
		m := map[string]any{}
		if err := yaml.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	return fm
}

func decodeData(tc testCase) (any, error) {
	if len(tc.Data) == 0 {
		return map[string]string{}, nil
	}
	if tc.JSONData {
		var v any
		err := json.Unmarshal(tc.Data, &v)
		return v, err
	}
	m := map[string]string{}
	err := json.Unmarshal(tc.Data, &m)
	return m, err
}

func render(tc testCase, fm template.FuncMap) (string, error) {
	t := template.New(tc.Name).Option("missingkey=error").Funcs(fm)
	if len(tc.Delims) == 2 {
		t = t.Delims(tc.Delims[0], tc.Delims[1])
	}
	t, err := t.Parse(tc.Template)
	if err != nil {
		return "", err
	}
	data, err := decodeData(tc)
	if err != nil {
		return "", fmt.Errorf("oracle: bad data: %w", err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return "", err
	}
	return buf.String(), nil
}

func main() {
	if len(os.Args) == 3 && os.Args[1] == "-certs" {
		os.Exit(certCheck(os.Args[2]))
	}
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: template-oracle CASES.json | template-oracle -certs RESULTS.json")
		os.Exit(2)
	}
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var cases []testCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fm := funcMap()
	results := make([]result, 0, len(cases))
	for _, tc := range cases {
		out, err := func() (out string, err error) {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("panic: %v", r)
				}
			}()
			return render(tc, fm)
		}()
		r := result{Name: tc.Name}
		if err != nil {
			msg := err.Error()
			r.Error = &msg
		} else {
			r.Output = &out
		}
		results = append(results, r)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
