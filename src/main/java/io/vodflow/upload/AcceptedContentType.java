package io.vodflow.upload;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import io.vodflow.storage.ContentTypes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;
import java.util.List;
import java.util.Optional;

/** A media type on the upload allow-list ({@code vodflow.upload.allowed-content-types}). Null or blank is valid. */
@Documented
@Constraint(validatedBy = AcceptedContentType.Validator.class)
@Target({FIELD, METHOD, PARAMETER})
@Retention(RUNTIME)
public @interface AcceptedContentType {

    /** The longest type accepted, parameters included. */
    int MAX_LENGTH = 255;

    String message() default "is not accepted";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** A bean, so that it reads the settings. */
    @ApplicationScoped
    class Validator implements ConstraintValidator<AcceptedContentType, String> {

        private final UploadRules rules;

        Validator(UploadRules rules) {
            this.rules = rules;
        }

        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            if (value == null || value.isBlank()) {
                return true; // @NotBlank speaks for a missing type
            }
            if (value.length() > MAX_LENGTH) {
                // Stored with the video and sent to S3: a type of any length would pass to them.
                return Violations.refuse(context, "must be at most " + MAX_LENGTH + " characters");
            }
            List<String> allowed = rules.get().allowedContentTypes();
            Optional<String> essence = ContentTypes.essence(value);
            String problem;
            if (essence.isEmpty() || PlainText.Validator.CONTROL.matcher(value).find()) {
                problem = "must be a media type such as video/mp4";
            } else if (!ContentTypes.isAllowed(value, allowed)) {
                problem = Violations.literal(essence.get()) + " is not accepted; accepted: "
                        + Violations.literal(String.join(", ", allowed));
            } else {
                return true;
            }
            return Violations.refuse(context, problem);
        }
    }
}
