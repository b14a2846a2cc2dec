package dev.weir.operator.resources;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ConfigMap with {@code job.yaml}: the StreamingJob manifest the runtime reads (the same format
 * {@code tools/local.sh} runs), reduced to what the runtime uses, with the restore path of this
 * deployment as {@code spec.initialSavepointPath}. Holds no credentials: the storage Secret reaches
 * the pods as environment variables from a Secret reference.
 */
public final class JobConfigMap {
  public static final String KEY = "job.yaml";

  /** Spec fields that only concern the operator or the pods, not the runtime. */
  private static final String[] OPERATOR_ONLY = {
    "image",
    "coordinator",
    "workers",
    "upgradeMode",
    "state",
    "savepointTriggerNonce",
    "savepointOnDeletion",
    "upgradeTimeout",
    "initialSavepointPath"
  };

  private JobConfigMap() {}

  public static ConfigMap desired(DeploymentPlan plan) {
    return new ConfigMapBuilder()
        .withMetadata(OwnedObjects.metadata(plan, JobObjectNames.configMap(plan.name()), "config"))
        .withData(Map.of(KEY, jobYaml(plan)))
        .build();
  }

  /** The manifest handed to coordinator and workers. */
  public static String jobYaml(DeploymentPlan plan) {
    ObjectNode spec = SpecCodec.toTree(plan.spec());
    for (String field : OPERATOR_ONLY) {
      spec.remove(field);
    }
    if (spec.has("storage")) {
      ((ObjectNode) spec.get("storage")).remove("credentialsSecret");
    }
    if (plan.restorePath() != null) {
      spec.put("initialSavepointPath", plan.restorePath());
    }
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("name", plan.name());
    metadata.put("namespace", plan.namespace());
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("apiVersion", "weir.dev/v1alpha1");
    manifest.put("kind", "StreamingJob");
    manifest.put("metadata", metadata);
    manifest.put("spec", spec);
    return SpecCodec.yaml(manifest);
  }

  /** A short digest of the manifest, put on pod templates so a config change replaces pods. */
  public static String hash(DeploymentPlan plan) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(jobYaml(plan).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
