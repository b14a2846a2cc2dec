{{- define "weir-operator.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "weir-operator.serviceAccountName" -}}
{{- default (include "weir-operator.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "weir-operator.labels" -}}
app.kubernetes.io/name: weir-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{- define "weir-operator.selector" -}}
app.kubernetes.io/name: weir-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* What the operator may do with the objects of the StreamingJobs it watches. No Secrets: the
     storage credentials reach job pods as Secret references the operator never reads. */}}
{{- define "weir-operator.jobRules" -}}
- apiGroups: ["weir.dev"]
  resources: ["streamingjobs"]
  verbs: ["get", "list", "watch", "patch", "update"]
- apiGroups: ["weir.dev"]
  resources: ["streamingjobs/status"]
  verbs: ["get", "patch", "update"]
- apiGroups: ["weir.dev"]
  resources: ["streamingjobs/finalizers"]
  verbs: ["update"]
- apiGroups: [""]
  resources: ["configmaps", "services"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
- apiGroups: ["apps"]
  resources: ["deployments", "statefulsets"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end -}}
