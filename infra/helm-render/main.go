// helm-render renders a Helm chart's templates the way `helm template` does, for checking charts
// where the helm binary cannot be installed. It uses Go's text/template with sprig v3 (the library
// Helm uses) and Helm's own additions: include, tpl, required, fail, toYaml, fromYaml, fromYamlArray,
// toJson, fromJson, fromJsonArray, toToml is not provided, lookup (always empty, as in `helm template`).
// Values: the chart's values.yaml, then each -f file merged over it (maps merged deeply, everything
// else replaced), then --set-string key=value pairs (dotted keys).
//
// Usage: helm-render [--name release] [--namespace ns] [-f values.yaml]... [--set-string a.b=c]... <chart-dir>
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	yamlv2 "gopkg.in/yaml.v2"
	yamlv3 "gopkg.in/yaml.v3"
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	name := flag.String("name", "switchyard", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	kubeVersion := flag.String("kube-version", "1.30.0", "Kubernetes version for .Capabilities")
	var valueFiles, setStrings multiFlag
	flag.Var(&valueFiles, "f", "values file (repeatable)")
	flag.Var(&setStrings, "set-string", "key=value (repeatable)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: helm-render [--name r] [--namespace n] [-f values.yaml]... [--set-string k=v]... <chart-dir>")
		os.Exit(2)
	}
	out, err := render(flag.Arg(0), *name, *namespace, *kubeVersion, valueFiles, setStrings)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
	os.Stdout.WriteString(out)
}

func readYAMLMap(file string) (map[string]interface{}, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	parsed := map[string]interface{}{}
	if err := yamlv3.Unmarshal(data, &parsed); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	// Helm reads values through JSON (sigs.k8s.io/yaml), so numbers are float64 in templates.
	asJSON, err := json.Marshal(normalize(parsed))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	values := map[string]interface{}{}
	if err := json.Unmarshal(asJSON, &values); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return values, nil
}

// normalize turns yaml's map[interface{}]interface{} into map[string]interface{} all the way down.
func normalize(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		for k, x := range t {
			t[k] = normalize(x)
		}
		return t
	case map[interface{}]interface{}:
		m := make(map[string]interface{}, len(t))
		for k, x := range t {
			m[fmt.Sprint(k)] = normalize(x)
		}
		return m
	case []interface{}:
		for i, x := range t {
			t[i] = normalize(x)
		}
		return t
	default:
		return v
	}
}

// mergeValues is Helm's coalescing of a user values file over the chart's: maps merge, a null
// removes the key, anything else replaces.
func mergeValues(dst, src map[string]interface{}) map[string]interface{} {
	for k, v := range src {
		if v == nil {
			delete(dst, k)
			continue
		}
		if sm, ok := v.(map[string]interface{}); ok {
			if dm, ok := dst[k].(map[string]interface{}); ok {
				dst[k] = mergeValues(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
	return dst
}

func setString(values map[string]interface{}, assignment string) error {
	eq := strings.Index(assignment, "=")
	if eq < 1 {
		return fmt.Errorf("--set-string %q: want key=value", assignment)
	}
	keys := strings.Split(assignment[:eq], ".")
	m := values
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]interface{})
		if !ok {
			next = map[string]interface{}{}
			m[k] = next
		}
		m = next
	}
	m[keys[len(keys)-1]] = assignment[eq+1:]
	return nil
}

// toYAML is Helm's toYaml: sigs.k8s.io/yaml's Marshal (JSON first, then YAML with sorted keys),
// without the trailing newline.
func toYAML(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	var obj interface{}
	if err := yamlv2.Unmarshal(data, &obj); err != nil {
		return ""
	}
	out, err := yamlv2.Marshal(obj)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(out), "\n")
}

func fromYAML(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yamlv3.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return normalize(m).(map[string]interface{})
}

func fromYAMLArray(s string) []interface{} {
	var a []interface{}
	if err := yamlv3.Unmarshal([]byte(s), &a); err != nil {
		return []interface{}{err.Error()}
	}
	return normalize(a).([]interface{})
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

func fromJSON(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromJSONArray(s string) []interface{} {
	var a []interface{}
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		return []interface{}{err.Error()}
	}
	return a
}

type chartMeta struct {
	APIVersion  string `yaml:"apiVersion"`
	Name        string `yaml:"name"`
	Version     string `yaml:"version"`
	AppVersion  string `yaml:"appVersion"`
	Description string `yaml:"description"`
	Type        string `yaml:"type"`
}

func render(chartDir, releaseName, namespace, kubeVersion string, valueFiles, setStrings []string) (string, error) {
	metaBytes, err := os.ReadFile(filepath.Join(chartDir, "Chart.yaml"))
	if err != nil {
		return "", err
	}
	var meta chartMeta
	if err := yamlv3.Unmarshal(metaBytes, &meta); err != nil {
		return "", fmt.Errorf("Chart.yaml: %w", err)
	}
	if meta.APIVersion != "v2" || meta.Name == "" || meta.Version == "" {
		return "", errors.New("Chart.yaml needs apiVersion v2, name and version")
	}
	values, err := readYAMLMap(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		return "", err
	}
	for _, file := range valueFiles {
		override, err := readYAMLMap(file)
		if err != nil {
			return "", err
		}
		values = mergeValues(values, override)
	}
	for _, assignment := range setStrings {
		if err := setString(values, assignment); err != nil {
			return "", err
		}
	}

	files, err := filepath.Glob(filepath.Join(chartDir, "templates", "*"))
	if err != nil {
		return "", err
	}
	sort.Strings(files)
	// Helm names templates <chart>/templates/<file>.
	root := template.New("gotpl")
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	includedNames := map[string]int{}
	funcs["include"] = func(name string, data interface{}) (string, error) {
		includedNames[name]++
		if includedNames[name] > 1000 {
			return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
		}
		defer func() { includedNames[name]-- }()
		var buf bytes.Buffer
		if err := root.ExecuteTemplate(&buf, name, data); err != nil {
			return "", err
		}
		return buf.String(), nil
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		t, err := root.Clone()
		if err != nil {
			return "", err
		}
		t, err = t.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var buf bytes.Buffer
		if err := t.Execute(&buf, data); err != nil {
			return "", err
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
	funcs["required"] = func(message string, v interface{}) (interface{}, error) {
		if v == nil {
			return nil, errors.New(message)
		}
		if s, ok := v.(string); ok && s == "" {
			return nil, errors.New(message)
		}
		return v, nil
	}
	funcs["fail"] = func(message string) (string, error) { return "", errors.New(message) }
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = fromYAML
	funcs["fromYamlArray"] = fromYAMLArray
	funcs["toJson"] = toJSON
	funcs["fromJson"] = fromJSON
	funcs["fromJsonArray"] = fromJSONArray
	funcs["lookup"] = func(string, string, string, string) (map[string]interface{}, error) { return map[string]interface{}{}, nil }
	root.Funcs(funcs).Option("missingkey=zero")

	type tplFile struct{ name, text string }
	var tpls []tplFile
	for _, file := range files {
		base := filepath.Base(file)
		if !(strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml") || strings.HasSuffix(base, ".tpl") || base == "NOTES.txt") {
			continue
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		name := path.Join(meta.Name, "templates", base)
		if _, err := root.New(name).Parse(string(data)); err != nil {
			return "", err
		}
		tpls = append(tpls, tplFile{name, string(data)})
	}

	kv := strings.SplitN(strings.TrimPrefix(kubeVersion, "v"), ".", 3)
	top := map[string]interface{}{
		"Values": values,
		"Release": map[string]interface{}{
			"Name": releaseName, "Namespace": namespace, "Service": "Helm", "IsInstall": true, "IsUpgrade": false, "Revision": 1,
		},
		"Chart": map[string]interface{}{
			"Name": meta.Name, "Version": meta.Version, "AppVersion": meta.AppVersion, "Description": meta.Description, "Type": meta.Type,
		},
		"Capabilities": map[string]interface{}{
			"KubeVersion": map[string]interface{}{"Version": "v" + strings.TrimPrefix(kubeVersion, "v"), "Major": kv[0], "Minor": kv[1], "GitVersion": "v" + strings.TrimPrefix(kubeVersion, "v")},
		},
	}
	var out strings.Builder
	for _, t := range tpls {
		base := path.Base(t.name)
		if strings.HasPrefix(base, "_") || base == "NOTES.txt" {
			continue
		}
		scope := map[string]interface{}{}
		for k, v := range top {
			scope[k] = v
		}
		scope["Template"] = map[string]interface{}{"Name": t.name, "BasePath": path.Join(meta.Name, "templates")}
		var buf bytes.Buffer
		if err := root.ExecuteTemplate(&buf, t.name, scope); err != nil {
			return "", err
		}
		rendered := strings.ReplaceAll(buf.String(), "<no value>", "")
		if strings.TrimSpace(rendered) == "" {
			continue
		}
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", t.name, strings.TrimSpace(rendered))
	}
	return out.String(), nil
}
