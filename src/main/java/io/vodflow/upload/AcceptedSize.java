package io.vodflow.upload;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import io.vodflow.problem.TooLarge;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;
import org.hibernate.validator.constraintvalidation.HibernateConstraintValidatorContext;

/**
 * A declared file size vodflow accepts: positive, and at most {@code vodflow.upload.max-size}. A size
 * over the maximum carries {@link TooLarge}, so that it alone answers 413. Null is valid.
 */
@Documented
@Constraint(validatedBy = AcceptedSize.Validator.class)
@Target({FIELD, METHOD, PARAMETER})
@Retention(RUNTIME)
public @interface AcceptedSize {

    String message() default "is not an accepted size";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** A bean, so that it reads the settings. */
    @ApplicationScoped
    class Validator implements ConstraintValidator<AcceptedSize, Long> {

        private final UploadRules rules;

        Validator(UploadRules rules) {
            this.rules = rules;
        }

        @Override
        public boolean isValid(Long size, ConstraintValidatorContext context) {
            if (size == null) {
                return true;
            }
            if (size <= 0) {
                return Violations.refuse(context, "must be positive");
            }
            long maxSize = rules.get().maxSize().asLongValue();
            if (size > maxSize) {
                context.unwrap(HibernateConstraintValidatorContext.class).withDynamicPayload(TooLarge.INSTANCE);
                return Violations.refuse(
                        context, "is " + Sizes.human(size) + "; the largest accepted is " + Sizes.human(maxSize));
            }
            return true;
        }
    }
}
