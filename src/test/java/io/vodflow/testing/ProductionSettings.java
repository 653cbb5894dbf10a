package io.vodflow.testing;

import io.vodflow.localcloud.LocalCloud;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The settings that point the packaged production application at embedded services, as an operator's
 * point it at AWS: names, endpoints, static credentials, the sign-in provider and a link-signing key.
 */
public final class ProductionSettings {

    private ProductionSettings() {}

    public static Map<String, String> of(LocalCloud.Plan plan, String jobEventsQueue, String transcodeJobsQueue) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("vodflow.storage.input-bucket", plan.inputBucket());
        settings.put("vodflow.storage.output-bucket", plan.outputBucket());
        settings.put("vodflow.database.table", plan.table());
        settings.put("vodflow.queues.uploads", plan.uploadsQueue());
        settings.put("vodflow.queues.job-events", jobEventsQueue);
        settings.put("vodflow.queues.transcode-jobs", transcodeJobsQueue);
        settings.put("vodflow.aws.region", plan.region());
        settings.put("vodflow.aws.sqs-endpoint", plan.endpoint(plan.sqsPort()).toString());
        settings.put("vodflow.aws.access-key-id", plan.accessKey());
        settings.put("vodflow.aws.secret-access-key", plan.secretKey());
        Map<String, Integer> ports = Map.of("s3", plan.s3Port(), "dynamodb", plan.dynamodbPort());
        ports.forEach((service, port) -> {
            String prefix = "quarkus." + service + ".";
            settings.put(prefix + "endpoint-override", plan.endpoint(port).toString());
            settings.put(prefix + "aws.region", plan.region());
            settings.put(prefix + "aws.credentials.type", "static");
            settings.put(prefix + "aws.credentials.static-provider.access-key-id", plan.accessKey());
            settings.put(prefix + "aws.credentials.static-provider.secret-access-key", plan.secretKey());
        });
        settings.put("quarkus.s3.path-style-access", "true");
        settings.put("quarkus.s3.checksum-validation", "false");
        settings.put("quarkus.oidc.auth-server-url", plan.issuer());
        settings.put("quarkus.oidc.client-id", "vodflow");
        settings.put("vodflow.auth.signing-key", Base64.getEncoder().encodeToString(new byte[32]));
        return settings;
    }
}
