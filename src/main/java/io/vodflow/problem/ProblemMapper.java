package io.vodflow.problem;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place where failures become HTTP responses: every error is {@code application/problem+json}
 * naming what went wrong, never a stack trace or a class name.
 */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    static String type(String slug) {
        return "urn:problem-type:vodflow:" + slug;
    }

    @ServerExceptionMapper
    public Response apiProblem(ApiProblem problem, HttpServerRequest request) {
        return respond(problem.toProblem(request.path()));
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonParseException e, HttpServerRequest request) {
        return respond(new Problem(
                type("malformed-json"),
                "Malformed JSON",
                400,
                "The request body is not valid JSON: " + e.getOriginalMessage(),
                request.path(),
                null,
                null));
    }

    @ServerExceptionMapper
    public Response mismatchedJson(MismatchedInputException e, HttpServerRequest request) {
        String field = e.getPath().stream()
                .map(reference ->
                        reference.getFieldName() != null ? reference.getFieldName() : "[" + reference.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
        String detail = field.isEmpty()
                ? "The request body does not have the expected shape"
                : "'" + field + "' has the wrong type";
        if (e.getTargetType() != null) {
            detail += ": expected " + describe(e.getTargetType());
        }
        return respond(new Problem(
                type("invalid-request"),
                "Invalid request",
                400,
                detail,
                request.path(),
                field.isEmpty() ? null : field,
                null));
    }

    @ServerExceptionMapper
    public Response otherJson(JsonMappingException e, HttpServerRequest request) {
        return respond(new Problem(
                type("malformed-json"),
                "Malformed JSON",
                400,
                "The request body could not be read as JSON",
                request.path(),
                null,
                null));
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, HttpServerRequest request) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        if (status.getStatusCode() >= 500) {
            return unexpected(e, request);
        }
        String detail =
                switch (status.getStatusCode()) {
                    case 404 -> "Nothing is found at " + request.path();
                    case 405 -> request.method() + " is not allowed on " + request.path();
                    case 406 -> "None of the accepted media types can be produced";
                    case 415 -> "The request's content type is not supported; send application/json";
                    default -> status.getReasonPhrase();
                };
        return respond(new Problem(
                "about:blank", status.getReasonPhrase(), status.getStatusCode(), detail, request.path(), null, null));
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, HttpServerRequest request) {
        String incident = UUID.randomUUID().toString();
        LOG.errorf(e, "Unexpected failure of %s %s (incident %s)", request.method(), request.path(), incident);
        return respond(new Problem(
                type("internal-error"),
                "Internal error",
                500,
                "The request could not be completed; the failure was logged as incident " + incident,
                request.path(),
                null,
                null));
    }

    private static String describe(Class<?> type) {
        if (Number.class.isAssignableFrom(type) || type.isPrimitive() && type != boolean.class) {
            return "a number";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        return "an object";
    }

    private static Response respond(Problem problem) {
        return Response.status(problem.status())
                .type(Problem.MEDIA_TYPE)
                .entity(problem)
                .build();
    }
}
