package io.vodflow.problem;

import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;

/**
 * Documents every error response as the {@link Problem} it is, so that endpoints only name their
 * error statuses and what they mean ({@code mp.openapi.filter} registers this filter).
 */
@OpenAPIDefinition(
        info =
                @Info(
                        title = "vodflow API",
                        version = "1",
                        description = "Upload videos, follow their transcoding live and play the HLS result."),
        components = @Components(schemas = @Schema(name = "Problem", implementation = Problem.class)))
public class ProblemResponses implements OASFilter {

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().values().forEach(path -> path.getOperations()
                .values()
                .forEach(this::describe));
    }

    private void describe(Operation operation) {
        if (operation.getResponses() == null) {
            return;
        }
        for (Map.Entry<String, APIResponse> response :
                operation.getResponses().getAPIResponses().entrySet()) {
            boolean error =
                    response.getKey().startsWith("4") || response.getKey().startsWith("5");
            if (error && response.getValue().getContent() == null) {
                response.getValue()
                        .setContent(OASFactory.createContent()
                                .addMediaType(
                                        Problem.MEDIA_TYPE,
                                        OASFactory.createMediaType()
                                                .schema(OASFactory.createSchema()
                                                        .ref("Problem"))));
            }
        }
    }
}
