{{/*
Chart name, or nameOverride, cut to 63 characters: the limit of a label value.
*/}}
{{- define "workload-statefulset.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Release-scoped prefix of object names: fullnameOverride when set, else the release
name, followed by the chart name unless the release name already contains it.
*/}}
{{- define "workload-statefulset.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "workload-statefulset.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "workload-statefulset.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/*
Name of one object, called as (list $ "web"): "<fullname>-web", or "web" as in the
compose project when prefixNames is false.
*/}}
{{- define "workload-statefulset.objectName" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- if $root.Values.prefixNames -}}
{{- printf "%s-%s" (include "workload-statefulset.fullname" $root) $name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name -}}
{{- end -}}
{{- end -}}

{{/*
Image reference from an image value: repository, then ":tag" and "@digest" when set.
*/}}
{{- define "workload-statefulset.image" -}}
{{- .repository -}}
{{- with .tag }}:{{ . }}{{ end -}}
{{- with .digest }}@{{ . }}{{ end -}}
{{- end -}}

{{/*
Labels Helm users expect on every object, added to the compose labels.
*/}}
{{- define "workload-statefulset.labels" -}}
{{- $chart := printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
helm.sh/chart: {{ $chart | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{ include "workload-statefulset.selectorLabels" . }}
{{- end -}}

{{/*
Label that keeps the selectors of two releases of this chart apart.
*/}}
{{- define "workload-statefulset.selectorLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
