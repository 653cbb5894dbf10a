package io.vodflow.upload;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import io.vodflow.config.VodflowConfig;
import io.vodflow.media.RenditionLimits;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/**
 * Rendition limits within what vodflow makes ({@code vodflow.upload.min-height} and the like), each
 * refusal naming its own field. Null, and null limits, are valid.
 */
@Documented
@Constraint(validatedBy = AcceptedLimits.Validator.class)
@Target({FIELD, METHOD, PARAMETER})
@Retention(RUNTIME)
public @interface AcceptedLimits {

    String message() default "are not accepted limits";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** A bean, so that it reads the settings. */
    @ApplicationScoped
    class Validator implements ConstraintValidator<AcceptedLimits, RenditionLimits> {

        private final UploadRules rules;

        Validator(UploadRules rules) {
            this.rules = rules;
        }

        @Override
        public boolean isValid(RenditionLimits limits, ConstraintValidatorContext context) {
            if (limits == null) {
                return true;
            }
            VodflowConfig.Upload upload = rules.get();
            context.disableDefaultConstraintViolation();
            boolean height =
                    within(context, "maxHeight", limits.maxHeight(), upload.minHeight(), upload.maxHeight(), "pixels");
            boolean bitrate = within(
                    context,
                    "maxBitrate",
                    limits.maxBitrate(),
                    upload.minBitrate(),
                    upload.maxBitrate(),
                    "bits per second");
            return height && bitrate;
        }

        private static boolean within(
                ConstraintValidatorContext context, String field, Integer value, int min, int max, String unit) {
            if (value == null || (value >= min && value <= max)) {
                return true;
            }
            context.buildConstraintViolationWithTemplate("must be between " + min + " and " + max + " " + unit)
                    .addPropertyNode(field)
                    .addConstraintViolation();
            return false;
        }
    }
}
