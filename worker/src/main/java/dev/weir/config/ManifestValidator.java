package dev.weir.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.weir.checkpoint.CheckpointConfig;
import dev.weir.checkpoint.CheckpointingMode;
import dev.weir.config.StreamingJobManifest.Checkpointing;
import dev.weir.config.StreamingJobManifest.Spec;
import dev.weir.runtime.RestartStrategy;
import dev.weir.state.KeyGroupRangeAssignment;
import dev.weir.state.StateBackendKind;
import dev.weir.storage.StorageLocation;
import dev.weir.usercode.JobJar;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads a StreamingJob manifest and checks every field, collecting all problems (each naming its
 * field, e.g. {@code spec.parallelism}) before giving up, so a user fixes them in one go.
 */
public final class ManifestValidator {
  public static final String API_VERSION = "weir.dev/v1alpha1";
  public static final String KIND = "StreamingJob";

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          // unknown fields are refused before binding, all at once, naming their lines
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Function<String, String> environment;
  private final List<String> problems = new ArrayList<>();

  public ManifestValidator(Function<String, String> environment) {
    this.environment = environment;
  }

  /** Parses and validates; {@code source} names the manifest in messages. */
  public JobSpec validate(String yaml, String source) throws InvalidManifestException {
    JsonNode tree;
    try {
      tree = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new InvalidManifestException(
          source,
          List.of(
              "not valid YAML: "
                  + e.getOriginalMessage()
                  + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr())));
    }
    StreamingJobManifest manifest;
    try {
      if (tree != null && !tree.isMissingNode()) {
        refuseUnknownFields(tree, StreamingJobManifest.class, "", fieldLines(yaml));
      }
      manifest =
          tree == null || tree.isMissingNode()
              ? null
              : YAML.treeToValue(tree, StreamingJobManifest.class);
    } catch (JsonMappingException e) {
      String field =
          e.getPath().stream()
              .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
              .collect(Collectors.joining("."))
              .replace(".[", "[");
      problems.add((field.isEmpty() ? "" : field + ": ") + e.getOriginalMessage());
      throw new InvalidManifestException(source, problems);
    } catch (JsonProcessingException e) {
      throw new InvalidManifestException(source, List.of(e.getOriginalMessage()));
    } catch (IOException e) {
      throw new InvalidManifestException(source, List.of("not valid YAML: " + e.getMessage()));
    }
    if (manifest == null) {
      throw new InvalidManifestException(source, List.of("the manifest is empty"));
    }
    JobSpec spec = check(manifest);
    if (!problems.isEmpty()) {
      throw new InvalidManifestException(source, problems);
    }
    return spec;
  }

  private void problem(String field, String message) {
    problems.add(field + ": " + message);
  }

  /**
   * Refuses every field of {@code node} that the manifest model ({@code type}, a record) does not
   * declare, naming it, its line and the fields known there: a typo would otherwise silently run
   * the job with a default. Descends into declared fields whose type is a record; a record
   * annotated to ignore unknown fields (Kubernetes' metadata) and untyped ({@link JsonNode}) fields
   * are not checked.
   */
  private void refuseUnknownFields(
      JsonNode node, Class<?> type, String path, Map<String, Integer> lines) {
    if (!node.isObject() || !type.isRecord()) {
      return;
    }
    JsonIgnoreProperties lenient = type.getAnnotation(JsonIgnoreProperties.class);
    if (lenient != null && lenient.ignoreUnknown()) {
      return;
    }
    Map<String, Class<?>> declared = new TreeMap<>();
    for (RecordComponent component : type.getRecordComponents()) {
      declared.put(component.getName(), component.getType());
    }
    node.fieldNames()
        .forEachRemaining(
            name -> {
              String field = path.isEmpty() ? name : path + "." + name;
              Class<?> fieldType = declared.get(name);
              if (fieldType == null) {
                Integer line = lines.get("/" + field.replace('.', '/'));
                problem(
                    field,
                    "unknown field"
                        + (line == null ? "" : " (line " + line + ")")
                        + "; known here: "
                        + String.join(", ", declared.keySet()));
              } else {
                refuseUnknownFields(node.get(name), fieldType, field, lines);
              }
            });
  }

  /** The line of every field name in the document, by its JSON pointer ({@code /spec/job}). */
  private static Map<String, Integer> fieldLines(String yaml) throws IOException {
    Map<String, Integer> lines = new HashMap<>();
    try (JsonParser parser = YAML.getFactory().createParser(yaml)) {
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        if (token == JsonToken.FIELD_NAME) {
          lines.putIfAbsent(
              parser.getParsingContext().pathAsPointer().toString(),
              parser.currentTokenLocation().getLineNr());
        }
      }
    }
    return lines;
  }

  private JobSpec check(StreamingJobManifest manifest) {
    if (!API_VERSION.equals(manifest.apiVersion())) {
      problem("apiVersion", "must be " + API_VERSION + " (got " + manifest.apiVersion() + ")");
    }
    if (!KIND.equals(manifest.kind())) {
      problem("kind", "must be " + KIND + " (got " + manifest.kind() + ")");
    }
    String name = manifest.metadata() == null ? null : manifest.metadata().name();
    if (name == null || !name.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
      problem(
          "metadata.name", "must be a DNS label (lower case letters, digits, '-'), got " + name);
      name = "job";
    }
    Spec spec = manifest.spec();
    if (spec == null) {
      problem("spec", "is required");
      return null;
    }
    int maxParallelism =
        orDefault(spec.maxParallelism(), KeyGroupRangeAssignment.DEFAULT_MAX_PARALLELISM);
    if (maxParallelism < 1
        || maxParallelism > KeyGroupRangeAssignment.UPPER_BOUND_MAX_PARALLELISM) {
      problem(
          "spec.maxParallelism",
          "must be between 1 and "
              + KeyGroupRangeAssignment.UPPER_BOUND_MAX_PARALLELISM
              + " (got "
              + maxParallelism
              + ")");
    }
    int parallelism = orDefault(spec.parallelism(), 1);
    if (parallelism < 1) {
      problem("spec.parallelism", "must be >= 1 (got " + parallelism + ")");
    } else if (parallelism > maxParallelism) {
      problem(
          "spec.parallelism",
          "must be <= spec.maxParallelism (" + maxParallelism + "), got " + parallelism);
    }
    String entryClass = checkEntryClass(spec);
    List<String> args =
        spec.job() == null || spec.job().args() == null
            ? List.of()
            : List.copyOf(spec.job().args());
    CheckpointConfig checkpoints = checkCheckpointing(spec.checkpointing());
    StateBackendKind backend = StateBackendKind.HEAP;
    if (spec.stateBackend() != null) {
      backend = StateBackendKind.parse(spec.stateBackend());
      if (backend == null) {
        problem(
            "spec.stateBackend",
            "unknown state backend '" + spec.stateBackend() + "' (use heap or rocksdb)");
      }
    }
    if (checkpoints.incremental() && backend != StateBackendKind.ROCKSDB) {
      problem(
          "spec.checkpointing.incremental",
          "needs spec.stateBackend: rocksdb (the heap backend always writes full snapshots)");
    }
    StorageLocation storage = checkStorage(spec.storage(), name);
    String endpoint = spec.storage() == null ? null : spec.storage().endpoint();
    JobJar jar = checkJarUri(spec, endpoint);
    RestartPolicy restart = checkRestartStrategy(spec.restartStrategy());
    return new JobSpec(
        name,
        parallelism,
        maxParallelism,
        entryClass,
        jar,
        args,
        checkpoints,
        backend,
        storage,
        endpoint,
        restart == null ? null : restart.factory(),
        restart == null ? null : restart.description(),
        Boolean.TRUE.equals(spec.allowNonRestoredState()),
        blankToNull(spec.initialSavepointPath()));
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }

  /**
   * A class name is all that is checked here: whether the class is there, and a job, is known only
   * once its jar is at hand ({@link dev.weir.usercode.UserCode#load}, before anything runs).
   */
  private String checkEntryClass(Spec spec) {
    if (spec.job() == null
        || spec.job().entryClass() == null
        || spec.job().entryClass().isBlank()) {
      problem("spec.job.entryClass", "is required (e.g. dev.weir.jobs.PageViewCount)");
      return null;
    }
    String entryClass = spec.job().entryClass().strip();
    if (!BINARY_CLASS_NAME.matcher(entryClass).matches()) {
      problem(
          "spec.job.entryClass",
          "'" + entryClass + "' is not a class name (such as com.example.MyJob or a.Outer$Inner)");
    }
    return entryClass;
  }

  private static final Pattern BINARY_CLASS_NAME =
      Pattern.compile(
          "\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*"
              + "(\\.\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*)*");

  /** The job's jar, if the manifest names one: parsed here, fetched and checked at start. */
  private JobJar checkJarUri(Spec spec, String storageEndpoint) {
    if (spec.job() == null || spec.job().jarURI() == null) {
      return null;
    }
    try {
      return JobJar.parse(spec.job().jarURI(), storageEndpoint, environment);
    } catch (IllegalArgumentException e) {
      problem("spec.job.jarURI", e.getMessage());
      return null;
    }
  }

  private CheckpointConfig checkCheckpointing(Checkpointing c) {
    CheckpointConfig d = CheckpointConfig.DEFAULT;
    if (c == null) {
      return d;
    }
    Duration interval = duration("spec.checkpointing.interval", c.interval(), d.interval());
    Duration timeout = duration("spec.checkpointing.timeout", c.timeout(), d.timeout());
    Duration minPause = duration("spec.checkpointing.minPause", c.minPause(), d.minPause());
    CheckpointingMode mode = d.mode();
    if (c.mode() != null) {
      try {
        mode =
            CheckpointingMode.valueOf(c.mode().trim().toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        problem(
            "spec.checkpointing.mode",
            "must be EXACTLY_ONCE or AT_LEAST_ONCE (got " + c.mode() + ")");
      }
    }
    boolean unaligned = Boolean.TRUE.equals(c.unaligned());
    if (unaligned && mode != CheckpointingMode.EXACTLY_ONCE) {
      problem(
          "spec.checkpointing.unaligned",
          "unaligned checkpoints need mode EXACTLY_ONCE (at-least-once barriers never block, so"
              + " there is nothing to overtake); remove unaligned or set mode: EXACTLY_ONCE");
    }
    Duration alignedTimeout =
        duration(
            "spec.checkpointing.alignedCheckpointTimeout",
            c.alignedCheckpointTimeout(),
            Duration.ZERO);
    if (alignedTimeout.isNegative()) {
      problem("spec.checkpointing.alignedCheckpointTimeout", "must be >= 0");
    } else if (!alignedTimeout.isZero() && !unaligned) {
      problem(
          "spec.checkpointing.alignedCheckpointTimeout",
          "switches aligned checkpoints to unaligned, so it needs unaligned: true");
    }
    int maxConcurrent = orDefault(c.maxConcurrent(), d.maxConcurrent());
    int tolerable = orDefault(c.tolerableFailures(), d.tolerableFailures());
    int retained = orDefault(c.retained(), d.retained());
    if (timeout.isZero() || timeout.isNegative()) {
      problem("spec.checkpointing.timeout", "must be > 0");
    }
    if (interval.isNegative()) {
      problem("spec.checkpointing.interval", "must be >= 0 (0 disables periodic checkpoints)");
    }
    if (maxConcurrent < 1) {
      problem("spec.checkpointing.maxConcurrent", "must be >= 1 (got " + maxConcurrent + ")");
    }
    if (tolerable < 0) {
      problem("spec.checkpointing.tolerableFailures", "must be >= 0 (got " + tolerable + ")");
    }
    if (retained < 1) {
      problem("spec.checkpointing.retained", "must be >= 1 (got " + retained + ")");
    }
    try {
      return new CheckpointConfig(
          interval,
          mode,
          timeout,
          minPause,
          maxConcurrent,
          tolerable,
          retained,
          Boolean.TRUE.equals(c.incremental()),
          unaligned,
          alignedTimeout);
    } catch (IllegalArgumentException e) {
      return d; // already reported field by field
    }
  }

  private StorageLocation checkStorage(StreamingJobManifest.Storage s, String name) {
    try {
      if (s == null || (s.bucket() == null && s.path() == null)) {
        return StorageLocation.parse("weir-local/" + name + "/checkpoints", null, environment);
      }
      if (s.bucket() != null && s.path() != null) {
        problem("spec.storage", "set either bucket (S3) or path (local directory), not both");
        return null;
      }
      if (s.path() != null) {
        return StorageLocation.parse(s.path(), null, environment);
      }
      if (s.endpoint() == null || s.endpoint().isBlank()) {
        problem("spec.storage.endpoint", "is required with spec.storage.bucket");
        return null;
      }
      String prefix =
          s.prefix() == null || s.prefix().isBlank()
              ? ""
              : "/" + s.prefix().replaceAll("^/+|/+$", "");
      return StorageLocation.parse("s3://" + s.bucket() + prefix, s.endpoint(), environment);
    } catch (IllegalArgumentException e) {
      problem("spec.storage", e.getMessage());
      return null;
    }
  }

  private record RestartPolicy(Supplier<RestartStrategy> factory, String description) {}

  private RestartPolicy checkRestartStrategy(StreamingJobManifest.RestartStrategy r) {
    String type =
        r == null || r.type() == null
            ? "exponential-delay"
            : r.type().trim().toLowerCase(Locale.ROOT);
    String f = "spec.restartStrategy";
    switch (type) {
      case "none":
        return new RestartPolicy(RestartStrategy::none, "none");
      case "fixed-delay":
        {
          int attempts = orDefault(r == null ? null : r.attempts(), 3);
          Duration delay =
              duration(f + ".delay", r == null ? null : r.delay(), Duration.ofSeconds(1));
          if (attempts < 0) {
            problem(f + ".attempts", "must be >= 0 (got " + attempts + ")");
          }
          return new RestartPolicy(
              () -> RestartStrategy.fixedDelay(attempts, delay),
              RestartStrategy.fixedDelay(attempts, delay).describe());
        }
      case "failure-rate":
        {
          int max = orDefault(r.maxFailures(), 3);
          Duration interval = duration(f + ".interval", r.interval(), Duration.ofMinutes(5));
          Duration delay = duration(f + ".delay", r.delay(), Duration.ofSeconds(1));
          if (max < 1) {
            problem(f + ".maxFailures", "must be >= 1 (got " + max + ")");
          }
          return new RestartPolicy(
              () -> RestartStrategy.failureRate(max, interval, delay),
              RestartStrategy.failureRate(max, interval, delay).describe());
        }
      case "exponential-delay":
        {
          Duration initial =
              duration(
                  f + ".initialDelay", r == null ? null : r.initialDelay(), Duration.ofSeconds(1));
          Duration max =
              duration(f + ".maxDelay", r == null ? null : r.maxDelay(), Duration.ofMinutes(1));
          double multiplier = r == null || r.multiplier() == null ? 2.0 : r.multiplier();
          Duration reset =
              duration(f + ".resetAfter", r == null ? null : r.resetAfter(), Duration.ofHours(1));
          if (multiplier < 1.0) {
            problem(f + ".multiplier", "must be >= 1 (got " + multiplier + ")");
          }
          return new RestartPolicy(
              () -> RestartStrategy.exponentialDelay(initial, max, multiplier, reset),
              RestartStrategy.exponentialDelay(initial, max, multiplier, reset).describe());
        }
      default:
        problem(
            f + ".type",
            "unknown restart strategy '"
                + type
                + "' (use none, fixed-delay, failure-rate or exponential-delay)");
        return null;
    }
  }

  private Duration duration(String field, String value, Duration fallback) {
    if (value == null) {
      return fallback;
    }
    try {
      return Durations.parse(value);
    } catch (IllegalArgumentException e) {
      problem(field, e.getMessage());
      return fallback;
    }
  }

  private static int orDefault(Integer value, int fallback) {
    return value == null ? fallback : value;
  }
}
