package dev.weir.operator.resources;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.weir.operator.api.StreamingJobSpec;
import java.io.UncheckedIOException;

/**
 * The one JSON form of a spec: nulls left out, map keys sorted, so two equal specs have equal text.
 * Status stores specs in this form (deployed, stable, upgrade target).
 */
public final class SpecCodec {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .setSerializationInclusion(JsonInclude.Include.NON_NULL)
          .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
  private static final ObjectMapper YAML =
      new ObjectMapper(
              new YAMLFactory()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
          .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  private SpecCodec() {}

  public static String toJson(StreamingJobSpec spec) {
    try {
      return JSON.writeValueAsString(JSON.valueToTree(spec));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static StreamingJobSpec fromJson(String json) {
    try {
      return JSON.readValue(json, StreamingJobSpec.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable spec recorded in status: " + e.getMessage(), e);
    }
  }

  public static ObjectNode toTree(StreamingJobSpec spec) {
    return JSON.valueToTree(spec);
  }

  public static JsonNode readTree(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable spec recorded in status: " + e.getMessage(), e);
    }
  }

  public static String yaml(Object value) {
    try {
      return YAML.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static ObjectMapper json() {
    return JSON;
  }
}
