{{- define "switchyard.fullname" -}}
{{- printf "%s" .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "switchyard.serviceName" -}}
{{- printf "%s-%s" (include "switchyard.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "switchyard.labels" -}}
app.kubernetes.io/name: switchyard
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "switchyard.selectorLabels" -}}
app.kubernetes.io/name: switchyard
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "switchyard.serviceAccountName" -}}
{{- default (include "switchyard.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "switchyard.secretName" -}}
{{- if .Values.secrets.keyVault.enabled -}}
{{- printf "%s-secrets" (include "switchyard.fullname" .) -}}
{{- else -}}
{{- required "secrets.existingSecret is required when secrets.keyVault.enabled is false" .Values.secrets.existingSecret -}}
{{- end -}}
{{- end -}}

{{- define "switchyard.envVar" -}}
{{- printf "SWITCHYARD_%s_URL" (.  | upper | replace "-" "_") -}}
{{- end -}}
