package io.vodflow.localcloud;

import static io.vodflow.testing.Users.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vodflow.config.VodflowConfig;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.eventnotifications.s3.model.S3EventNotification;
import software.amazon.awssdk.eventnotifications.s3.model.S3EventNotificationRecord;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.Message;

@QuarkusTest
@TestProfile(LocalCloudTest.NoConsumers.class)
class LocalCloudTest {

    /** The uploads consumer would take the notifications these tests read from the queue. */
    public static class NoConsumers implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mp.messaging.incoming.uploads.enabled", "false");
        }
    }

    @Inject
    S3Client s3;

    @Inject
    SqsAsyncClient sqs;

    @Inject
    VodflowConfig config;

    @Test
    void readinessListsTheThreeEmbeddedServices() {
        given().when()
                .get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("s3", "sqs", "dynamodb"))
                .body("checks.find { it.name == 's3' }.data.embedded", equalTo("true"));
    }

    @Test
    void putIntoInputBucketSendsTheS3NotificationWithTheKeyUrlEncoded() {
        String key = "test/notify/My holiday + Übersicht ñ 東京.mp4";
        byte[] bytes = "not really a video".getBytes();

        s3.putObject(
                request ->
                        request.bucket(config.storage().inputBucket()).key(key).contentType("video/mp4"),
                RequestBody.fromBytes(bytes));

        S3EventNotificationRecord record = awaitNotificationFor(key);
        assertThat(record.getEventSource()).isEqualTo("aws:s3");
        assertThat(record.getEventName()).isEqualTo("ObjectCreated:Put");
        assertThat(record.getS3().getBucket().getName())
                .isEqualTo(config.storage().inputBucket());
        assertThat(record.getS3().getObject().getKey())
                .isEqualTo("test/notify/My+holiday+%2B+%C3%9Cbersicht+%C3%B1+%E6%9D%B1%E4%BA%AC.mp4");
        assertThat(record.getS3().getObject().getSizeAsLong()).isEqualTo(bytes.length);
        assertThat(record.getS3().getObject().getETag()).isNotBlank().doesNotContain("\"");
        assertThat(record.getS3().getObject().getSequencer()).isNotBlank();
    }

    @Test
    void completedMultipartUploadSendsOneNotification() {
        String key = "test/notify/multi part.bin";
        String bucket = config.storage().inputBucket();
        String uploadId = s3.createMultipartUpload(
                        request -> request.bucket(bucket).key(key))
                .uploadId();
        byte[] part = new byte[5 * 1024 * 1024];
        String eTag1 = s3.uploadPart(
                        request -> request.bucket(bucket)
                                .key(key)
                                .uploadId(uploadId)
                                .partNumber(1),
                        RequestBody.fromBytes(part))
                .eTag();
        String eTag2 = s3.uploadPart(
                        request -> request.bucket(bucket)
                                .key(key)
                                .uploadId(uploadId)
                                .partNumber(2),
                        RequestBody.fromBytes(new byte[10]))
                .eTag();
        s3.completeMultipartUpload(request -> request.bucket(bucket)
                .key(key)
                .uploadId(uploadId)
                .multipartUpload(upload -> upload.parts(
                        CompletedPart.builder().partNumber(1).eTag(eTag1).build(),
                        CompletedPart.builder().partNumber(2).eTag(eTag2).build())));

        S3EventNotificationRecord record = awaitNotificationFor(key);
        assertThat(record.getEventName()).isEqualTo("ObjectCreated:CompleteMultipartUpload");
        assertThat(record.getS3().getObject().getSizeAsLong()).isEqualTo(part.length + 10L);
    }

    private S3EventNotificationRecord awaitNotificationFor(String key) {
        String queueUrl = sqs.getQueueUrl(
                        request -> request.queueName(config.queues().uploads()))
                .join()
                .queueUrl();
        AtomicReference<S3EventNotificationRecord> found = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            List<Message> messages = sqs.receiveMessage(request ->
                            request.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1))
                    .join()
                    .messages();
            for (Message message : messages) {
                sqs.deleteMessage(request -> request.queueUrl(queueUrl).receiptHandle(message.receiptHandle()))
                        .join();
                S3EventNotification notification = S3EventNotification.fromJson(message.body());
                for (S3EventNotificationRecord record : notification.getRecords()) {
                    if (record.getS3().getObject().getUrlDecodedKey().equals(key)) {
                        found.set(record);
                    }
                }
            }
            return found.get() != null;
        });
        return found.get();
    }
}
