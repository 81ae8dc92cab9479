{{/* Release-scoped name, at most 63 characters. */}}
{{- define "order-service.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "order-service.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one component (edge or processor): (dict "ctx" $ "component" "edge") */}}
{{- define "order-service.selectorLabels" -}}
app.kubernetes.io/name: {{ .ctx.Chart.Name }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "order-service.componentLabels" -}}
{{ include "order-service.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "order-service.secretName" -}}
{{- .Values.existingSecret | default (include "order-service.fullname" .) -}}
{{- end -}}

{{- define "order-service.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- .Values.serviceAccount.name | default (include "order-service.fullname" .) -}}
{{- else -}}
{{- .Values.serviceAccount.name | default "default" -}}
{{- end -}}
{{- end -}}

{{- define "order-service.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* The processor cap: replicas beyond the commands topic's partitions would sit idle. */}}
{{- define "order-service.maxProcessors" -}}
{{- $partitions := int .Values.kafka.commandPartitions -}}
{{- if lt $partitions 1 -}}
{{- fail "kafka.commandPartitions must be at least 1" -}}
{{- end -}}
{{- if .Values.keda.enabled -}}
{{- $max := int (.Values.keda.maxReplicas | default $partitions) -}}
{{- if gt $max $partitions -}}
{{- fail (printf "keda.maxReplicas=%d is above kafka.commandPartitions=%d: a processor replica beyond the commands topic's partition count gets no partition and sits idle" $max $partitions) -}}
{{- end -}}
{{- if gt (int .Values.keda.minReplicas) $max -}}
{{- fail (printf "keda.minReplicas=%d is above keda.maxReplicas=%d" (int .Values.keda.minReplicas) $max) -}}
{{- end -}}
{{- $max -}}
{{- else -}}
{{- if gt (int .Values.processor.replicas) $partitions -}}
{{- fail (printf "processor.replicas=%d is above kafka.commandPartitions=%d: a processor replica beyond the commands topic's partition count gets no partition and sits idle" (int .Values.processor.replicas) $partitions) -}}
{{- end -}}
{{- $partitions -}}
{{- end -}}
{{- end -}}

{{/* Settings both processes read (CONFIG_VARIABLES usedBy edge and processor). */}}
{{- define "order-service.sharedEnv" -}}
{{- $sasl := .Values.kafka.sasl -}}
- name: SERVICE_NAME
  value: {{ .Values.serviceName | quote }}
- name: LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
{{- with .Values.tracing }}
{{- if .otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ .otlpEndpoint | quote }}
{{- end }}
{{- if .sampler }}
- name: OTEL_TRACES_SAMPLER
  value: {{ .sampler | quote }}
{{- end }}
{{- if .samplerArg }}
- name: OTEL_TRACES_SAMPLER_ARG
  value: {{ .samplerArg | quote }}
{{- end }}
{{- end }}
- name: KAFKA_BROKERS
  value: {{ required "kafka.brokers is required" .Values.kafka.brokers | quote }}
- name: KAFKA_SSL
  value: {{ ternary "true" "false" .Values.kafka.ssl | quote }}
{{- if $sasl.mechanism }}
{{- if not (has $sasl.mechanism (list "plain" "scram-sha-256" "scram-sha-512")) }}
{{- fail (printf "kafka.sasl.mechanism=%s must be one of plain, scram-sha-256, scram-sha-512 (or empty for no SASL)" $sasl.mechanism) }}
{{- end }}
- name: KAFKA_SASL_MECHANISM
  value: {{ $sasl.mechanism | quote }}
- name: KAFKA_SASL_USERNAME
  value: {{ required "kafka.sasl.username is required with kafka.sasl.mechanism" $sasl.username | quote }}
- name: KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "order-service.secretName" . }}
      key: KAFKA_SASL_PASSWORD
{{- end }}
- name: SCHEMA_REGISTRY_URL
  value: {{ required "schemaRegistry.url is required" .Values.schemaRegistry.url | quote }}
- name: MONGODB_URI
  valueFrom:
    secretKeyRef:
      name: {{ include "order-service.secretName" . }}
      key: MONGODB_URI
- name: MONGODB_DATABASE
  value: {{ .Values.mongodb.database | quote }}
- name: TOPIC_COMMANDS
  value: {{ .Values.kafka.topics.commands | quote }}
- name: TOPIC_OUTCOMES
  value: {{ .Values.kafka.topics.outcomes | quote }}
- name: COMMAND_PARTITIONS
  value: {{ int .Values.kafka.commandPartitions | quote }}
{{- end -}}

{{/* Extra settings by name from a values map, after the chart's own. */}}
{{- define "order-service.extraEnv" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end -}}

{{/* Pod-level settings both workloads share: (dict "ctx" $ "component" "edge" "values" .Values.edge) */}}
{{- define "order-service.podCommon" -}}
serviceAccountName: {{ include "order-service.serviceAccountName" .ctx }}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .ctx.Values.podSecurityContext | nindent 2 }}
{{- with .ctx.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
terminationGracePeriodSeconds: {{ .values.terminationGracePeriodSeconds }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumes:
  # Read-only root filesystem: scratch space for anything that writes to /tmp.
  - name: tmp
    emptyDir:
      sizeLimit: 64Mi
{{- end -}}

{{/* Annotations that roll the pods when the chart-created Secret changes. */}}
{{- define "order-service.podAnnotations" -}}
{{- if not .ctx.Values.existingSecret }}
checksum/secret: {{ include (print .ctx.Template.BasePath "/secret.yaml") .ctx | sha256sum }}
{{- end }}
{{- with .values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end -}}
