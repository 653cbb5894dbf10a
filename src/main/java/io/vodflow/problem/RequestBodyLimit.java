package io.vodflow.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Turns away a request that declares a body larger than {@code quarkus.http.limits.max-body-size}
 * with a 413 problem, before a byte of the body is read. Quarkus enforces the same limit on bodies
 * sent without a length, with a bare 413; this gives clients that declare one the usual problem.
 */
@ApplicationScoped
class RequestBodyLimit {

    /** Before Quarkus' own body-size check and every other route. */
    private static final int ORDER = -3;

    private final long limit;
    private final String limitText;
    private final ObjectMapper json;

    RequestBodyLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit, ObjectMapper json) {
        this.limit = limit.asLongValue();
        this.limitText = limit.asLongValue() + " bytes";
        this.json = json;
    }

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(this::check);
    }

    private void check(RoutingContext context) {
        String declared = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        long length;
        try {
            length = declared == null ? 0 : Long.parseLong(declared.strip());
        } catch (NumberFormatException e) {
            length = 0; // Vert.x refuses a malformed length itself
        }
        if (length <= limit) {
            context.next();
            return;
        }
        Problem problem = new Problem(
                ProblemMapper.type("body-too-large"),
                "Request body too large",
                413,
                "The request body has " + length + " bytes; the most accepted is " + limitText,
                context.request().path(),
                null,
                null);
        try {
            context.response()
                    .setStatusCode(413)
                    .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                    // The unread body would follow on this connection: close it instead.
                    .putHeader(HttpHeaders.CONNECTION, "close")
                    .end(json.writeValueAsString(problem));
        } catch (JsonProcessingException e) {
            context.fail(413, e);
        }
    }
}
