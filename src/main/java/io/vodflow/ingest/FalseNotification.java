package io.vodflow.ingest;

/**
 * A notification that reports something S3 did not do: it is refused (the dead-letter queue keeps it
 * for an operator) and changes nothing, however often it is delivered.
 */
final class FalseNotification extends RuntimeException {

    FalseNotification(String message) {
        super(message, null, false, false);
    }
}
