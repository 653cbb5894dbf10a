package io.vodflow.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import software.amazon.awssdk.eventnotifications.s3.model.S3;
import software.amazon.awssdk.eventnotifications.s3.model.S3EventNotification;
import software.amazon.awssdk.eventnotifications.s3.model.S3EventNotificationRecord;

/** Reads S3 event notifications as S3 sends them to SQS. */
final class S3Notifications {

    private S3Notifications() {}

    /**
     * The URL-decoded keys of the objects a notification reports created. The {@code s3:TestEvent}
     * S3 sends when notifications are configured reports none.
     *
     * @param bucket the input bucket, the only one whose notifications vodflow takes
     * @throws IllegalArgumentException if the message is not an S3 event notification of that bucket
     */
    static List<String> createdKeys(String body, ObjectMapper json, String bucket) {
        JsonNode root;
        try {
            root = json.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if ("s3:TestEvent".equals(root.path("Event").asText())) {
            return List.of();
        }
        if (!root.path("Records").isArray()) {
            throw new IllegalArgumentException("not an S3 event notification: no Records");
        }
        List<S3> created;
        try {
            created = S3EventNotification.fromJson(body).getRecords().stream()
                    .filter(record -> record.getEventName() != null
                            && record.getEventName().startsWith("ObjectCreated:"))
                    .map(S3EventNotificationRecord::getS3)
                    .toList();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a readable S3 event notification: " + e.getMessage());
        }
        for (S3 s3 : created) {
            String reported = s3.getBucket() == null ? null : s3.getBucket().getName();
            if (!bucket.equals(reported)) {
                throw new IllegalArgumentException(
                        "a notification of bucket " + reported + ", not of the input bucket " + bucket);
            }
        }
        try {
            return created.stream().map(s3 -> s3.getObject().getUrlDecodedKey()).toList();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a readable S3 event notification: " + e.getMessage());
        }
    }
}
