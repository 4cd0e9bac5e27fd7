{{/*
Names and labels shared by every template. Each define's body is plain YAML lines or one expression, so that
tests/DistSnn.Helm.Tests can expand it when it checks the templates' static structure.
*/}}

{{/* Chart name, used in the app.kubernetes.io/name label. */}}
{{- define "distsnn.name" -}}
{{ default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: the prefix of every resource name of this release. */}}
{{- define "distsnn.fullname" -}}
{{ include "distsnn.computedFullname" . | trunc 55 | trimSuffix "-" }}
{{- end }}

{{/* Kept short enough (55) that "-headless" and "-admin" still fit in 63 characters. */}}
{{- define "distsnn.computedFullname" -}}
{{ .Values.fullnameOverride | default (ternary .Release.Name (printf "%s-%s" .Release.Name (include "distsnn.name" .)) (contains (include "distsnn.name" .) .Release.Name)) }}
{{- end }}

{{/* Labels that select this release's node pods (StatefulSet, Services, NetworkPolicy, PDB, discovery). */}}
{{- define "distsnn.selectorLabels" -}}
app.kubernetes.io/name: {{ include "distsnn.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of every resource. */}}
{{- define "distsnn.labels" -}}
{{ include "distsnn.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: distsnn
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{/* Name of the headless Service that gives the StatefulSet its pod identities. */}}
{{- define "distsnn.headlessName" -}}
{{ include "distsnn.fullname" . }}-headless
{{- end }}

{{/* ServiceAccount of the node pods. */}}
{{- define "distsnn.serviceAccountName" -}}
{{ .Values.serviceAccount.name | default (include "distsnn.fullname" .) }}
{{- end }}

{{/* Secret holding the admin bearer token: an existing one, or the one this chart creates. */}}
{{- define "distsnn.adminSecretName" -}}
{{ .Values.admin.auth.existingSecret | default (printf "%s-admin" (include "distsnn.fullname" .)) }}
{{- end }}

{{/* Where the admin token file is mounted when admin.auth.mountAsFile is set. */}}
{{- define "distsnn.adminTokenDir" -}}
/etc/distsnn/admin
{{- end }}

{{/*
Checkpoint directory of the nodes (DistSnn:Node:CheckpointDirectory): the shared claim's mount when
checkpoints.sharedClaim is set (a coordinator that moves takes over the running jobs), else a folder on each
node's own data volume (checkpoints then survive a pod restart, not the loss of its node).
*/}}
{{- define "distsnn.checkpointDirectory" -}}
{{- if .Values.checkpoints.sharedClaim }}
/checkpoints
{{- else }}
{{ .Values.persistence.mountPath }}/checkpoints
{{- end }}
{{- end }}

{{/* Node image reference. */}}
{{- define "distsnn.image" -}}
{{ printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
