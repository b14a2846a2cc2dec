package dev.weir.operator.resources;

import java.util.LinkedHashMap;
import java.util.Map;

/** Names and labels of the objects a StreamingJob owns. */
public final class JobObjectNames {
  public static final String COMPONENT = "weir.dev/component";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  public static final String JOB_ID = "weir.dev/job-id";
  public static final int RPC_PORT = 6123;
  public static final int HTTP_PORT = 8081;

  private JobObjectNames() {}

  public static String configMap(String job) {
    return job + "-config";
  }

  public static String coordinator(String job) {
    return job + "-coordinator";
  }

  public static String workers(String job) {
    return job + "-workers";
  }

  /** Address of the coordinator's gRPC port inside the cluster. */
  public static String coordinatorAddress(String job, String namespace) {
    return coordinator(job) + "." + namespace + ".svc:" + RPC_PORT;
  }

  /** Labels selecting one role's pods of a job. */
  public static Map<String, String> selector(String job, String component) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/name", "weir");
    labels.put(INSTANCE, job);
    labels.put(COMPONENT, component);
    return labels;
  }

  /** Labels of every object of a job. */
  public static Map<String, String> common(String job, String component) {
    Map<String, String> labels = selector(job, component);
    labels.put("app.kubernetes.io/managed-by", "weir-operator");
    return labels;
  }

  /** The scale subresource's selector of the worker pods. */
  public static String workerSelector(String job) {
    StringBuilder out = new StringBuilder();
    selector(job, "worker")
        .forEach(
            (k, v) -> out.append(out.length() == 0 ? "" : ",").append(k).append('=').append(v));
    return out.toString();
  }
}
