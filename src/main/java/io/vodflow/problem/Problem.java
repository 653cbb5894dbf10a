package io.vodflow.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * An RFC 9457 problem detail, the body of every error response ({@code application/problem+json}).
 *
 * @param field the request field at fault, when there is one
 * @param errors every field at fault, when several are
 */
// Written by Jackson from an untyped Response (ProblemMapper) and from RequestBodyLimit, where no
// resource method's type names it: native executables need it registered for reflection.
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "Problem", description = "RFC 9457 problem detail")
public record Problem(
        @Schema(description = "Identifies the kind of problem", example = "urn:problem-type:vodflow:invalid-request")
                String type,
        @Schema(description = "Short summary of the kind of problem", example = "Invalid request") String title,
        @Schema(description = "HTTP status", example = "400") int status,
        @Schema(description = "What went wrong with this request, in plain words") String detail,
        @Schema(description = "The request path") String instance,
        @Schema(description = "The request field at fault", example = "fileName") String field,
        @Schema(description = "Every field at fault, when there are several") List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** One field at fault and why. */
    @RegisterForReflection
    public record FieldError(String field, String detail) {}
}
