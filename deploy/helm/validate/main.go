// Strict offline check of a rendered Helm chart (`helm template … | helm-validate`): every
// object of the multi-document YAML on stdin must be a kind listed here and decode into
// its official Go type with no unknown, duplicate or wrongly-cased field. This is the
// decoding an API server applies under `kubectl apply --validate=strict`, minus admission
// and the server's own semantic validation (no cluster here).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"

	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// The kinds the chart may render, by apiVersion/kind. Anything else fails: a kind added
// to the chart must be added here, with its official type.
var kinds = map[string]func() any{
	"v1/ConfigMap":                            func() any { return &corev1.ConfigMap{} },
	"v1/Secret":                               func() any { return &corev1.Secret{} },
	"v1/Service":                              func() any { return &corev1.Service{} },
	"v1/ServiceAccount":                       func() any { return &corev1.ServiceAccount{} },
	"apps/v1/Deployment":                      func() any { return &appsv1.Deployment{} },
	"apps/v1/StatefulSet":                     func() any { return &appsv1.StatefulSet{} },
	"autoscaling/v2/HorizontalPodAutoscaler":  func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"policy/v1/PodDisruptionBudget":           func() any { return &policyv1.PodDisruptionBudget{} },
	"keda.sh/v1alpha1/ScaledObject":           func() any { return &kedav1alpha1.ScaledObject{} },
	"keda.sh/v1alpha1/TriggerAuthentication":  func() any { return &kedav1alpha1.TriggerAuthentication{} },
	"monitoring.coreos.com/v1/ServiceMonitor": func() any { return &monitoringv1.ServiceMonitor{} },
	"monitoring.coreos.com/v1/PrometheusRule": func() any { return &monitoringv1.PrometheusRule{} },
}

type result struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Name       string   `json:"name"`
	Source     string   `json:"source,omitempty"`
	Errors     []string `json:"errors,omitempty"`
}

var sourceLine = regexp.MustCompile(`(?m)^# Source: (.+)$`)

func check(doc []byte) *result {
	src := ""
	if m := sourceLine.FindSubmatch(doc); m != nil {
		src = string(m[1])
	}
	// YAMLToJSONStrict also rejects duplicate keys, which plain YAML parsing silently merges.
	data, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return &result{Source: src, Errors: []string{"not valid YAML: " + err.Error()}}
	}
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return nil // an empty document (a template that rendered nothing)
	}
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return &result{Source: src, Errors: []string{"not an object: " + err.Error()}}
	}
	r := &result{APIVersion: head.APIVersion, Kind: head.Kind, Name: head.Metadata.Name, Source: src}
	newObj, ok := kinds[head.APIVersion+"/"+head.Kind]
	if !ok {
		r.Errors = append(r.Errors, fmt.Sprintf("kind %s/%s is not one this validator knows", head.APIVersion, head.Kind))
		return r
	}
	if head.Metadata.Name == "" {
		r.Errors = append(r.Errors, "metadata.name is empty")
	}
	strict, err := kjson.UnmarshalStrict(data, newObj(), kjson.DisallowDuplicateFields, kjson.DisallowUnknownFields)
	if err != nil {
		r.Errors = append(r.Errors, err.Error())
	}
	for _, e := range strict {
		r.Errors = append(r.Errors, e.Error())
	}
	return r
}

// splitDocuments splits a YAML stream on its `---` separator lines.
func splitDocuments(in []byte) [][]byte {
	var docs [][]byte
	var cur bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(in))
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		line := sc.Text()
		if line == "---" || (len(line) > 4 && line[:4] == "--- ") {
			docs = append(docs, append([]byte(nil), cur.Bytes()...))
			cur.Reset()
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
	}
	return append(docs, cur.Bytes())
}

func main() {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "reading stdin:", err)
		os.Exit(2)
	}
	results := []*result{}
	failed := false
	for _, doc := range splitDocuments(in) {
		if r := check(doc); r != nil {
			results = append(results, r)
			failed = failed || len(r.Errors) > 0
		}
	}
	// One JSON array on stdout for the test; a readable line per failure on stderr.
	out, _ := json.MarshalIndent(results, "", "  ")
	fmt.Println(string(out))
	for _, r := range results {
		for _, e := range r.Errors {
			fmt.Fprintf(os.Stderr, "%s %s (%s): %s\n", r.Kind, r.Name, r.Source, e)
		}
	}
	if failed {
		os.Exit(1)
	}
	if len(results) == 0 {
		fmt.Fprintln(os.Stderr, "no objects on stdin")
		os.Exit(1)
	}
}
