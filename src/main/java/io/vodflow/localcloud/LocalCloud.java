package io.vodflow.localcloud;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.vodflow.config.VodflowConfig;
import io.vodflow.video.VideoTable;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Destroyed;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jboss.logging.Logger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Starts the embedded S3, SQS and DynamoDB before anything else in dev mode and tests, with the
 * buckets, queues (each with a dead-letter queue) and table the configuration names, and an OpenID
 * Connect provider with two dev users.
 *
 * <p>The bean only exists in dev and test builds, and the emulators it uses are "provided"
 * dependencies, so the production artifact contains neither. In dev mode the services outlive live
 * reloads, so that a code change neither waits for them nor loses queued messages.
 */
@Singleton
@IfBuildProfile(anyOf = {"dev", "test"})
public class LocalCloud {

    private static final Logger LOG = Logger.getLogger(LocalCloud.class);
    /** How many times a message is received before SQS moves it to the dead-letter queue. */
    static final int MAX_RECEIVE_COUNT = 5;

    private final VodflowConfig config;
    private ServiceKeeper keeper;

    LocalCloud(VodflowConfig config) {
        this.config = config;
    }

    void start(@Observes @Priority(1) StartupEvent event) {
        VodflowConfig.LocalCloud local = config.localcloud();
        if (!local.enabled()) {
            return;
        }
        String fingerprint = fingerprint();
        if (LaunchMode.current() == LaunchMode.DEVELOPMENT && ServiceKeeper.reuse(fingerprint)) {
            LOG.debug("Embedded S3, SQS and DynamoDB still running from before the live reload");
            return;
        }
        long started = System.nanoTime();
        keeper = ServiceKeeper.start(fingerprint, this::startServices);
        LOG.infof(
                "Embedded S3 on %s, SQS on %s, DynamoDB on %s (%s), OpenID Connect provider %s/%s started in %d ms",
                endpoint(local.s3Port()),
                endpoint(local.sqsPort()),
                endpoint(local.dynamodbPort()),
                local.dataDir().map(dir -> "data in " + dir.toAbsolutePath()).orElse("in memory"),
                endpoint(local.oidcPort()),
                EmbeddedOidc.ISSUER,
                (System.nanoTime() - started) / 1_000_000);
    }

    /**
     * Runs once the application scope is gone, so that the messaging connectors stopped polling
     * before their queues disappear.
     */
    void stop(@Observes @Destroyed(ApplicationScoped.class) Object event) {
        // In dev mode the keeper's shutdown hook stops the services when the JVM exits.
        if (keeper != null && LaunchMode.current() != LaunchMode.DEVELOPMENT) {
            keeper.shutdown();
        }
    }

    private List<AutoCloseable> startServices() {
        VodflowConfig.LocalCloud local = config.localcloud();
        String region = region();
        List<AutoCloseable> services = new ArrayList<>();
        // dynalite is a separate Node process: start it while the in-JVM services come up.
        CompletableFuture<EmbeddedDynamoDb> dynamo = CompletableFuture.supplyAsync(() -> EmbeddedDynamoDb.start(
                local.node(),
                local.npm(),
                local.toolsDir(),
                local.host(),
                local.dynamodbPort(),
                local.dataDir().map(dir -> dir.resolve("dynamodb"))));
        try {
            SqsClient sqs = startSqs(services);
            String uploadsUrl = sqs.getQueueUrl(
                            request -> request.queueName(config.queues().uploads()))
                    .queueUrl();
            String inputBucket = config.storage().inputBucket();
            services.add(EmbeddedS3.start(
                    local.host(),
                    local.s3Port(),
                    local.dataDir().map(dir -> dir.resolve("s3")),
                    local.accessKey(),
                    local.secretKey(),
                    Arrays.asList(local.corsOrigins().split(",")),
                    List.of(inputBucket, config.storage().outputBucket()),
                    inputBucket,
                    new S3EventNotifier(sqs, uploadsUrl, region)));
            services.add(EmbeddedOidc.start(local.host(), local.oidcPort(), local.toolsDir()));
            services.add(dynamo.join());
            createTable();
            return services;
        } catch (RuntimeException e) {
            dynamo.thenAccept(EmbeddedDynamoDb::close);
            ServiceKeeper.closeAll(services);
            throw e instanceof CompletionException && e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /** Starts the embedded SQS with every queue, adding it and its client to {@code services}. */
    private SqsClient startSqs(List<AutoCloseable> services) {
        VodflowConfig.LocalCloud local = config.localcloud();
        SqsClient sqs = SqsClient.builder()
                .httpClient(AwsCrtHttpClient.create())
                .endpointOverride(endpoint(local.sqsPort()))
                .region(Region.of(region()))
                .credentialsProvider(credentials())
                .build();
        services.add(sqs);
        services.add(EmbeddedSqs.start(
                local.host(),
                local.sqsPort(),
                region(),
                local.dataDir().map(dir -> dir.resolve("sqs")),
                config.queues().all(),
                MAX_RECEIVE_COUNT,
                sqs));
        return sqs;
    }

    private void createTable() {
        try (DynamoDbClient dynamo = DynamoDbClient.builder()
                .httpClient(AwsCrtHttpClient.create())
                .endpointOverride(endpoint(config.localcloud().dynamodbPort()))
                .region(Region.of(region()))
                .credentialsProvider(credentials())
                .build()) {
            CreateTableRequest table =
                    VideoTable.createTableRequest(config.database().table());
            try {
                dynamo.createTable(table);
            } catch (ResourceInUseException alreadyThere) {
                // Kept from an earlier run in the data directory, perhaps from an older vodflow.
                TableMigration.migrate(dynamo, table, VideoTable::upgrade);
            }
        }
    }

    private String fingerprint() {
        VodflowConfig.LocalCloud local = config.localcloud();
        return String.join(
                "|",
                local.host(),
                Integer.toString(local.s3Port()),
                Integer.toString(local.sqsPort()),
                Integer.toString(local.dynamodbPort()),
                Integer.toString(local.oidcPort()),
                local.dataDir().map(Object::toString).orElse("memory"),
                config.storage().inputBucket(),
                config.storage().outputBucket(),
                String.join(",", config.queues().all()),
                config.database().table());
    }

    private String region() {
        return config.aws().region().orElse("us-east-1");
    }

    private URI endpoint(int port) {
        return URI.create("http://" + config.localcloud().host() + ":" + port);
    }

    private StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(
                config.localcloud().accessKey(), config.localcloud().secretKey()));
    }
}
