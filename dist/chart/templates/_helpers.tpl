{{/* Chart name, truncated to the 63 characters of a label value. */}}
{{- define "scimbridge.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Prefix of every object name: the release name, with the chart name unless it already holds it. */}}
{{- define "scimbridge.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
An object name: fullname-suffix, with fullname shortened so that the whole
stays within 63 characters. Call with (dict "suffix" "..." "context" $).
*/}}
{{- define "scimbridge.resourceName" -}}
{{- $fullname := include "scimbridge.fullname" .context }}
{{- $max := sub 62 (len .suffix) | int }}
{{- printf "%s-%s" (trunc $max $fullname | trimSuffix "-") .suffix }}
{{- end }}

{{/* Labels of every object: the chart's own, then commonLabels. */}}
{{- define "scimbridge.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "scimbridge.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels that select the manager's pods; they never change after install. */}}
{{- define "scimbridge.selectorLabels" -}}
app.kubernetes.io/name: {{ include "scimbridge.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
control-plane: controller-manager
{{- end }}

{{/* metadata.labels and metadata.annotations of an object; annotations only when there are some. */}}
{{- define "scimbridge.metadata" -}}
labels:
  {{- include "scimbridge.labels" . | nindent 2 }}
{{- with .Values.commonAnnotations }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{- define "scimbridge.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "scimbridge.resourceName" (dict "suffix" "controller-manager" "context" .)) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The manager image: repository@digest when pinned, else repository:tag. */}}
{{- define "scimbridge.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{- define "scimbridge.shardLeasePrefix" -}}
{{- default (printf "%s-shard" (include "scimbridge.fullname" .)) .Values.sharding.leasePrefix }}
{{- end }}

{{- define "scimbridge.leaderElectionID" -}}
{{- default (include "scimbridge.fullname" .) .Values.leaderElection.id }}
{{- end }}

{{/* Fails on values the chart cannot honour, rather than ignoring them. */}}
{{- define "scimbridge.validate" -}}
{{- if lt (int .Values.shards) 1 }}
{{- fail "shards must be at least 1" }}
{{- end }}
{{- if gt (len (include "scimbridge.shardLeasePrefix" .)) 40 }}
{{- fail "sharding.leasePrefix (or the release's full name and -shard) must be at most 40 characters" }}
{{- end }}
{{- if and (gt (int .Values.replicas) 1) (not .Values.leaderElection.enabled) (eq (int .Values.shards) 1) }}
{{- fail "replicas > 1 needs leaderElection.enabled or shards > 1, or the replicas would all provision at once" }}
{{- end }}
{{- if and .Values.serviceMonitor.enabled (not .Values.metrics.enabled) }}
{{- fail "serviceMonitor.enabled needs metrics.enabled" }}
{{- end }}
{{- range .Values.watchNamespaces }}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$" .) }}
{{- fail (printf "watchNamespaces: %q is not a namespace name" .) }}
{{- end }}
{{- end }}
{{- end }}
