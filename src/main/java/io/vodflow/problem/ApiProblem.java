package io.vodflow.problem;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A request the API refuses, with everything the problem detail needs. Services throw it; the
 * central mapper turns it into an {@code application/problem+json} response.
 */
public class ApiProblem extends RuntimeException {

    private final int status;
    private final String slug;
    private final String title;
    private final String field;
    private final List<Problem.FieldError> errors;
    private final Duration retryAfter;

    private ApiProblem(
            int status, String slug, String title, String detail, String field, List<Problem.FieldError> errors) {
        this(status, slug, title, detail, field, errors, null);
    }

    private ApiProblem(
            int status,
            String slug,
            String title,
            String detail,
            String field,
            List<Problem.FieldError> errors,
            Duration retryAfter) {
        super(detail, null, false, false);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.field = field;
        this.errors = errors;
        this.retryAfter = retryAfter;
    }

    /** 400: one field of the request is wrong. */
    public static ApiProblem invalidField(String field, String detail) {
        return new ApiProblem(400, "invalid-request", "Invalid request", detail, field, null);
    }

    /** 400 or 413: several fields are wrong; 413 only when the sole fault is a too large size. */
    public static ApiProblem invalidFields(List<Problem.FieldError> errors, boolean onlyTooLarge) {
        Problem.FieldError first = errors.get(0);
        if (onlyTooLarge) {
            return new ApiProblem(413, "too-large", "File too large", first.detail(), first.field(), null);
        }
        String detail = errors.size() == 1
                ? first.detail()
                : errors.size() + " fields are invalid; the first: " + first.detail();
        return new ApiProblem(
                400, "invalid-request", "Invalid request", detail, first.field(), errors.size() > 1 ? errors : null);
    }

    /** 403: a signed link that has expired, was altered, or is for another video. */
    public static ApiProblem forbidden(String detail) {
        return new ApiProblem(403, "forbidden", "Forbidden", detail, null, null);
    }

    /** 429: over one of the caller's quotas; nothing was done. */
    public static ApiProblem overQuota(String detail, Duration retryAfter) {
        return new ApiProblem(429, "over-quota", "Over quota", detail, null, null, retryAfter);
    }

    /** 404: no such video. */
    public static ApiProblem notFound(String detail) {
        return new ApiProblem(404, "not-found", "Not found", detail, null, null);
    }

    /** 416: the requested byte range is outside the file. */
    public static ApiProblem rangeNotSatisfiable(String detail) {
        return new ApiProblem(416, "range-not-satisfiable", "Range not satisfiable", detail, null, null);
    }

    /** 409: the request does not fit the video's current state. */
    public static ApiProblem conflict(String detail) {
        return new ApiProblem(409, "conflict", "Conflict with the video's state", detail, null, null);
    }

    Problem toProblem(String instance) {
        return new Problem(ProblemMapper.type(slug), title, status, getMessage(), instance, field, errors);
    }

    public int status() {
        return status;
    }

    /** When the client may try again, for a refusal that passes with time. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
