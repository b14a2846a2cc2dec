package dev.weir.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** Pod settings of one role (coordinator or workers). */
public record PodSpecOverrides(
    @JsonPropertyDescription(
            "CPU and memory of the main container (named weir). Changing them restarts the"
                + " job.")
        ResourceRequirements resources,
    @PreserveUnknownFields
        @SchemaFrom(type = Object.class)
        @JsonPropertyDescription(
            "A Pod template merged under the operator's pods: labels, annotations,"
                + " nodeSelector, tolerations, affinity, volumes, extra containers; a container"
                + " named weir adds env and volumeMounts to the main container. The operator's"
                + " own settings (command, image, ports, securityContext) win. Changing it"
                + " restarts the job.")
        PodTemplateSpec podTemplate) {}
