{{/*
Chart name, or nameOverride, cut to 63 characters: the limit of a label value.
*/}}
{{- define "workload-cronjob.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Release-scoped prefix of object names: fullnameOverride when set, else the release
name, followed by the chart name unless the release name already contains it.
*/}}
{{- define "workload-cronjob.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "workload-cronjob.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "workload-cronjob.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/*
Name of one object, called as (list $ "web"): "<fullname>-web", or "web" as in the
compose project when prefixNames is false.
*/}}
{{- define "workload-cronjob.objectName" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- if $root.Values.prefixNames -}}
{{- printf "%s-%s" (include "workload-cronjob.fullname" $root) $name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name -}}
{{- end -}}
{{- end -}}

{{/*
Image reference from an image value: repository, then ":tag" and "@digest" when set.
*/}}
{{- define "workload-cronjob.image" -}}
{{- .repository -}}
{{- with .tag }}:{{ . }}{{ end -}}
{{- with .digest }}@{{ . }}{{ end -}}
{{- end -}}

{{/*
Labels Helm users expect on every object, added to the compose labels.
*/}}
{{- define "workload-cronjob.labels" -}}
{{- $chart := printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
helm.sh/chart: {{ $chart | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{ include "workload-cronjob.selectorLabels" . }}
{{- end -}}

{{/*
Label that keeps the selectors of two releases of this chart apart.
*/}}
{{- define "workload-cronjob.selectorLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
