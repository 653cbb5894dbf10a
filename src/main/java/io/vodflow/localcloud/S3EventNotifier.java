package io.vodflow.localcloud;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import software.amazon.awssdk.eventnotifications.s3.model.RequestParameters;
import software.amazon.awssdk.eventnotifications.s3.model.ResponseElements;
import software.amazon.awssdk.eventnotifications.s3.model.S3;
import software.amazon.awssdk.eventnotifications.s3.model.S3Bucket;
import software.amazon.awssdk.eventnotifications.s3.model.S3EventNotification;
import software.amazon.awssdk.eventnotifications.s3.model.S3EventNotificationRecord;
import software.amazon.awssdk.eventnotifications.s3.model.S3Object;
import software.amazon.awssdk.eventnotifications.s3.model.UserIdentity;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Sends the event notification S3 itself sends to an SQS queue when an object is created: same JSON,
 * URL-encoded key ({@code +} for spaces), size, eTag and a sequencer that grows with every event.
 */
final class S3EventNotifier {

    private static final Logger LOG = Logger.getLogger(S3EventNotifier.class);
    private static final String PRINCIPAL = "vodflow-localcloud";

    private final SqsClient sqs;
    private final String queueUrl;
    private final String region;
    private final AtomicLong sequencer = new AtomicLong(System.currentTimeMillis() << 16);

    S3EventNotifier(SqsClient sqs, String queueUrl, String region) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.region = region;
    }

    void objectCreated(String eventName, String bucket, String key, Long size, String eTag) {
        S3EventNotificationRecord record = new S3EventNotificationRecord();
        record.setEventVersion("2.1");
        record.setEventSource("aws:s3");
        record.setAwsRegion(region);
        record.setEventTime(Instant.now());
        record.setEventName(eventName);
        record.setUserIdentity(new UserIdentity(PRINCIPAL));
        record.setRequestParameters(new RequestParameters("127.0.0.1"));
        String requestId = UUID.randomUUID().toString().replace("-", "").toUpperCase();
        record.setResponseElements(new ResponseElements(requestId, requestId));
        record.setS3(new S3(
                "vodflow-uploads",
                new S3Bucket(bucket, new UserIdentity(PRINCIPAL), "arn:aws:s3:::" + bucket),
                new S3Object(
                        urlEncode(key), size, unquote(eTag), null, String.format("%018X", sequencer.incrementAndGet())),
                "1.0"));
        String body = new S3EventNotification(List.of(record)).toJson();
        sqs.sendMessage(request -> request.queueUrl(queueUrl).messageBody(body));
        LOG.debugf("S3 notification %s for s3://%s/%s", eventName, bucket, key);
    }

    /** Encodes each path segment as S3 does in notifications: form encoding, slashes kept. */
    static String urlEncode(String key) {
        return Arrays.stream(key.split("/", -1))
                .map(segment -> URLEncoder.encode(segment, StandardCharsets.UTF_8))
                .collect(Collectors.joining("/"));
    }

    private static String unquote(String eTag) {
        return eTag == null ? null : eTag.replace("\"", "");
    }
}
