package dev.weir.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** Checkpoint and savepoint storage: an S3-compatible bucket. */
@ValidationRule(
    value = "!has(self.path)",
    message =
        "spec.storage.path is a local directory for tools/local.sh only; on Kubernetes use"
            + " spec.storage.endpoint and spec.storage.bucket")
@ValidationRule(
    value = "has(self.endpoint) && has(self.bucket)",
    message = "spec.storage.endpoint and spec.storage.bucket are required")
public record Storage(
    @JsonPropertyDescription("S3 endpoint URL, e.g. http://minio.storage.svc:9000.")
        String endpoint,
    @JsonPropertyDescription("Bucket holding checkpoints and savepoints.") String bucket,
    @JsonPropertyDescription(
            "Key prefix inside the bucket; the job's data goes under <prefix>/<jobId>/.")
        String prefix,
    @JsonPropertyDescription(
            "Name of a Secret in the job's namespace with the keys accessKey and secretKey. The"
                + " operator passes it to the pods only as a Secret reference; it never reads it.")
        String credentialsSecret,
    @JsonPropertyDescription(
            "Local mode only (tools/local.sh): a directory. Refused on Kubernetes.")
        String path) {}
