package io.vodflow.upload;

import jakarta.validation.ConstraintValidatorContext;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** How vodflow's constraints word a refusal: one message, built from values, never interpolated. */
final class Violations {

    private static final Pattern TEMPLATE_SYNTAX = Pattern.compile("[\\\\{}$]");

    private Violations() {}

    /** Replaces the constraint's default message with {@code message}; always false. */
    static boolean refuse(ConstraintValidatorContext context, String message) {
        context.disableDefaultConstraintViolation();
        context.buildConstraintViolationWithTemplate(message).addConstraintViolation();
        return false;
    }

    /** Text taken from a request or from settings, escaped so that the validator prints it as it is. */
    static String literal(String text) {
        return TEMPLATE_SYNTAX.matcher(text).replaceAll(match -> Matcher.quoteReplacement("\\" + match.group()));
    }
}
