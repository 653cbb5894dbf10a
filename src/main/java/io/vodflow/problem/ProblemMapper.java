package io.vodflow.problem;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.hibernate.validator.engine.HibernateConstraintViolation;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * The one place where failures become HTTP responses: every error is {@code application/problem+json}
 * naming what went wrong, never a stack trace or a class name.
 */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);
    /** How long a client waits before trying again after a 503. */
    private static final int RETRY_AFTER_SECONDS = 5;

    static String type(String slug) {
        return "urn:problem-type:vodflow:" + slug;
    }

    @ServerExceptionMapper
    public Response apiProblem(ApiProblem problem, HttpServerRequest request) {
        Response response = respond(problem.toProblem(request.path()));
        problem.retryAfter().ifPresent(wait -> response.getHeaders()
                .putSingle("Retry-After", Long.toString(Math.max(1, wait.toSeconds()))));
        return response;
    }

    /** No bearer token, or one that is expired, wrongly signed, or from another issuer: 401. */
    @ServerExceptionMapper({AuthenticationFailedException.class, UnauthorizedException.class})
    public Response unauthenticated(RuntimeException e, HttpServerRequest request) {
        boolean presented = request.getHeader("Authorization") != null;
        Response response = respond(new Problem(
                type("unauthenticated"),
                "Unauthenticated",
                401,
                presented
                        ? "The bearer token is not valid here: expired, altered, or from another issuer"
                        : "Sign in: send an OpenID Connect access token as Authorization: Bearer <token>;"
                                + " players and EventSource use the signed links of GET /videos/{id}",
                request.path(),
                null,
                null));
        response.getHeaders().putSingle("WWW-Authenticate", "Bearer");
        return response;
    }

    /**
     * A request that breaks its declared constraints: 400 naming every field at fault, in the order
     * the body declares them, or 413 when the only fault is a size over a limit.
     */
    @ServerExceptionMapper
    public Response invalid(ConstraintViolationException e, HttpServerRequest request) {
        List<ConstraintViolation<?>> violations = e.getConstraintViolations().stream()
                .sorted(Comparator.comparingInt(ProblemMapper::declarationOrder)
                        .thenComparing(ProblemMapper::field, Comparator.nullsFirst(Comparator.naturalOrder())))
                .toList();
        List<Problem.FieldError> errors = violations.stream()
                .map(violation -> {
                    String field = field(violation);
                    return new Problem.FieldError(
                            field, field == null ? violation.getMessage() : field + " " + violation.getMessage());
                })
                .toList();
        boolean onlyTooLarge = violations.size() == 1
                && violations.get(0).unwrap(HibernateConstraintViolation.class).getDynamicPayload(TooLarge.class)
                        != null;
        return apiProblem(ApiProblem.invalidFields(errors, onlyTooLarge), request);
    }

    /** The JSON path of the field at fault ({@code output.maxHeight}), or null for the whole body. */
    private static String field(ConstraintViolation<?> violation) {
        List<String> names = new ArrayList<>();
        for (Path.Node node : violation.getPropertyPath()) {
            if (node.getKind() == ElementKind.PROPERTY) {
                names.add(node.getName());
            }
        }
        return names.isEmpty() ? null : String.join(".", names);
    }

    /** Where the field at fault is declared in the request body, when the body is a record. */
    private static int declarationOrder(ConstraintViolation<?> violation) {
        Object[] arguments = violation.getExecutableParameters();
        String field = field(violation);
        Integer parameter = null;
        for (Path.Node node : violation.getPropertyPath()) {
            if (node.getKind() == ElementKind.PARAMETER) {
                parameter = node.as(Path.ParameterNode.class).getParameterIndex();
            }
        }
        if (arguments == null || parameter == null || field == null || arguments[parameter] == null) {
            return -1;
        }
        RecordComponent[] components = arguments[parameter].getClass().getRecordComponents();
        String top = field.split("\\.")[0];
        for (int index = 0; components != null && index < components.length; index++) {
            if (components[index].getName().equals(top)) {
                return index;
            }
        }
        return Integer.MAX_VALUE;
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonParseException e, HttpServerRequest request) {
        return malformed("The request body is not valid JSON: " + e.getOriginalMessage(), request);
    }

    @ServerExceptionMapper
    public Response mismatchedJson(MismatchedInputException e, HttpServerRequest request) {
        String field = e.getPath().stream()
                .map(reference ->
                        reference.getFieldName() != null ? reference.getFieldName() : "[" + reference.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
        String detail;
        if (e instanceof UnrecognizedPropertyException unknown && unknown.getKnownPropertyIds() != null) {
            detail = "'" + field + "' is not a field of this request; the fields here are "
                    + unknown.getKnownPropertyIds().stream()
                            .map(String::valueOf)
                            .sorted()
                            .collect(Collectors.joining(", "));
        } else {
            detail = field.isEmpty()
                    ? "The request body does not have the expected shape"
                    : "'" + field + "' has the wrong type";
            if (e.getTargetType() != null) {
                detail += ": expected " + describe(e.getTargetType());
            }
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
        return malformed("The request body could not be read as JSON", request);
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, HttpServerRequest request) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        if (status.getStatusCode() >= 500) {
            return unexpected(e, request);
        }
        // Jackson's guards against absurd documents (nesting too deep, a value too long) reach here
        // wrapped by the body reader.
        if (e.getCause() instanceof StreamConstraintsException absurd) {
            return malformed("The request body is beyond what vodflow reads: " + absurd.getOriginalMessage(), request);
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

    /**
     * S3, SQS or DynamoDB did not answer within its deadline, could not be reached, or is throttling or
     * failing: the request may succeed shortly, so the client is told when to try again.
     */
    @ServerExceptionMapper
    public Response unavailable(SdkException e, HttpServerRequest request) {
        boolean passing = e instanceof SdkClientException
                || e instanceof SdkServiceException service
                        && (service.isThrottlingException() || service.statusCode() >= 500);
        if (!passing) {
            return unexpected(e, request);
        }
        LOG.warnf("%s %s answered 503: %s", request.method(), request.path(), e.getMessage());
        Problem problem = new Problem(
                type("unavailable"),
                "Service unavailable",
                503,
                "A service vodflow depends on did not answer in time; try again in a few seconds",
                request.path(),
                null,
                null);
        return Response.status(503)
                .type(Problem.MEDIA_TYPE)
                .header("Retry-After", RETRY_AFTER_SECONDS)
                .entity(problem)
                .build();
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

    private static Response malformed(String detail, HttpServerRequest request) {
        return respond(new Problem(type("malformed-json"), "Malformed JSON", 400, detail, request.path(), null, null));
    }

    private static Response respond(Problem problem) {
        return Response.status(problem.status())
                .type(Problem.MEDIA_TYPE)
                .entity(problem)
                .build();
    }
}
