package io.vodflow.problem;

/**
 * Marks a refused request field as over a size limit (as a Hibernate Validator dynamic payload): when
 * it is the request's only fault, the answer is 413 rather than 400.
 */
public enum TooLarge {
    INSTANCE
}
