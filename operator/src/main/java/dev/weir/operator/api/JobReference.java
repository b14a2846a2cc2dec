package dev.weir.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.List;

/** Which job to run: a class implementing {@code dev.weir.api.StreamJob}. */
public record JobReference(
    @Required
        @JsonPropertyDescription(
            "Fully qualified class implementing dev.weir.api.StreamJob, e.g."
                + " dev.weir.jobs.PageViewCount. Changing it restarts the job (upgrade).")
        String entryClass,
    @JsonPropertyDescription(
            "Location of a jar with the job's classes, when they are not in the image"
                + " (local:///path inside the image). Changing it restarts the job.")
        String jarURI,
    @JsonPropertyDescription(
            "Arguments handed to the job's define method. Changing them restarts the job.")
        List<String> args) {}
