package io.vodflow.upload;

import io.vodflow.config.VodflowConfig;
import io.vodflow.problem.ApiProblem;
import io.vodflow.problem.Problem.FieldError;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Checks a {@link CreateVideoRequest} against the upload rules and reports every field at fault. */
@ApplicationScoped
class CreateVideoValidator {

    static final int MAX_NAME_LENGTH = 255;
    /** C0 and C1 control characters, DEL included; a file name or title never needs them. */
    private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x1F\\x7F-\\x9F]");

    private final VodflowConfig.Upload rules;

    CreateVideoValidator(VodflowConfig config) {
        this.rules = config.upload();
    }

    /** @throws ApiProblem naming every invalid field */
    void validate(CreateVideoRequest request) {
        if (request == null) {
            throw ApiProblem.invalidField(null, "The request body is required");
        }
        List<FieldError> errors = new ArrayList<>();
        checkName("fileName", request.fileName(), true, errors);
        checkName("title", request.title(), false, errors);
        checkContentType(request.contentType(), errors);
        boolean tooLarge = checkSize(request.sizeBytes(), errors);
        if (request.output() != null) {
            checkRange(
                    "output.maxHeight",
                    request.output().maxHeight(),
                    rules.minHeight(),
                    rules.maxHeight(),
                    "pixels",
                    errors);
            checkRange(
                    "output.maxBitrate",
                    request.output().maxBitrate(),
                    rules.minBitrate(),
                    rules.maxBitrate(),
                    "bits per second",
                    errors);
        }
        if (!errors.isEmpty()) {
            throw ApiProblem.invalidFields(errors, tooLarge && errors.size() == 1);
        }
    }

    private static void checkName(String field, String value, boolean required, List<FieldError> errors) {
        if (value == null) {
            if (required) {
                errors.add(new FieldError(field, field + " is required"));
            }
        } else if (value.isBlank()) {
            errors.add(new FieldError(field, field + " must not be blank"));
        } else if (value.codePointCount(0, value.length()) > MAX_NAME_LENGTH) {
            errors.add(new FieldError(field, field + " must be at most " + MAX_NAME_LENGTH + " characters long"));
        } else if (CONTROL.matcher(value).find()) {
            errors.add(new FieldError(field, field + " must not contain control characters"));
        }
    }

    private void checkContentType(String value, List<FieldError> errors) {
        if (value == null || value.isBlank()) {
            errors.add(new FieldError("contentType", "contentType is required, for example video/mp4"));
            return;
        }
        var essence = ContentTypes.essence(value);
        if (CONTROL.matcher(value).find() || essence.isEmpty()) {
            errors.add(new FieldError("contentType", "contentType must be a media type such as video/mp4"));
        } else if (!ContentTypes.isAllowed(value, rules.allowedContentTypes())) {
            errors.add(new FieldError(
                    "contentType",
                    "contentType " + essence.get() + " is not accepted; accepted: "
                            + String.join(", ", rules.allowedContentTypes())));
        }
    }

    /** @return whether the size is over the maximum */
    private boolean checkSize(Long size, List<FieldError> errors) {
        if (size == null) {
            errors.add(new FieldError("sizeBytes", "sizeBytes is required"));
        } else if (size <= 0) {
            errors.add(new FieldError("sizeBytes", "sizeBytes must be positive"));
        } else if (size > rules.maxSize().asLongValue()) {
            errors.add(new FieldError(
                    "sizeBytes",
                    "The file is " + Sizes.human(size) + "; the largest accepted is "
                            + Sizes.human(rules.maxSize().asLongValue())));
            return true;
        }
        return false;
    }

    private static void checkRange(
            String field, Integer value, int min, int max, String unit, List<FieldError> errors) {
        if (value != null && (value < min || value > max)) {
            errors.add(new FieldError(field, field + " must be between " + min + " and " + max + " " + unit));
        }
    }
}
