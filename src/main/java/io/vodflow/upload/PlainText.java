package io.vodflow.upload;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;
import java.util.regex.Pattern;

/**
 * A short text a client names something with (a file name, a title): something visible, at most
 * {@link #maxLength} characters (code points, as people count them), no control characters. Null is
 * valid: add {@code @NotNull} where the text is required.
 */
@Documented
@Constraint(validatedBy = PlainText.Validator.class)
@Target({FIELD, METHOD, PARAMETER})
@Retention(RUNTIME)
public @interface PlainText {

    int maxLength() default 255;

    String message() default "must be plain text";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<PlainText, String> {

        /**
         * C0 and C1 control characters, DEL included, line and paragraph separators, and the bidi
         * embeddings, overrides and isolates: a name or a title never needs them, and the last make
         * "clip", U+202E, "exe.mp4" show as "clip4pm.exe" wherever it is displayed. The marks a right-to-left
         * text may need (U+200E, U+200F) stay allowed.
         */
        static final Pattern CONTROL =
                Pattern.compile("[\\x00-\\x1F\\x7F-\\x9F\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069]");

        private int maxLength;

        @Override
        public void initialize(PlainText annotation) {
            maxLength = annotation.maxLength();
        }

        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            String problem = problem(value);
            return problem == null || Violations.refuse(context, problem);
        }

        private String problem(String value) {
            if (value == null) {
                return null;
            }
            if (value.codePoints().allMatch(Validator::invisible)) {
                return "must not be blank";
            }
            if (value.codePointCount(0, value.length()) > maxLength) {
                return "must be at most " + maxLength + " characters long";
            }
            return CONTROL.matcher(value).find() ? "must not contain control characters" : null;
        }

        /**
         * Spaces (the no-break ones too, which {@link String#isBlank} lets through) and the invisible
         * format characters (zero-width spaces and joiners, the byte order mark): a title made of them
         * only shows as nothing.
         */
        private static boolean invisible(int codePoint) {
            return Character.isWhitespace(codePoint)
                    || Character.isSpaceChar(codePoint)
                    || Character.getType(codePoint) == Character.FORMAT;
        }
    }
}
