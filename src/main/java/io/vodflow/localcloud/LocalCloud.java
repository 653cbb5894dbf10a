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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
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
        if (!config.localcloud().enabled()) {
            return;
        }
        Plan plan = Plan.of(config);
        String fingerprint = plan.toString();
        if (LaunchMode.current() == LaunchMode.DEVELOPMENT && ServiceKeeper.reuse(fingerprint)) {
            LOG.debug("Embedded S3, SQS and DynamoDB still running from before the live reload");
            return;
        }
        long started = System.nanoTime();
        keeper = ServiceKeeper.start(fingerprint, () -> startServices(plan));
        LOG.infof(
                "Embedded S3 on %s, SQS on %s, DynamoDB on %s (%s), OpenID Connect provider %s started in %d ms",
                plan.endpoint(plan.s3Port()),
                plan.endpoint(plan.sqsPort()),
                plan.endpoint(plan.dynamodbPort()),
                plan.dataDir().map(dir -> "data in " + dir.toAbsolutePath()).orElse("in memory"),
                plan.issuer(),
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

    /**
     * What the embedded services serve, and where: everything that starting them needs, and nothing
     * from the application's configuration, so that the packaged application's integration tests
     * start the same services for it.
     *
     * @param dataDir where the services keep their data; in memory when empty
     * @param queues every queue, each of which gets a dead-letter queue
     * @param uploadsQueue the queue S3 notifies of uploads to the input bucket
     */
    public record Plan(
            String host,
            int s3Port,
            int sqsPort,
            int dynamodbPort,
            int oidcPort,
            Optional<Path> dataDir,
            Path toolsDir,
            String node,
            String npm,
            String accessKey,
            String secretKey,
            List<String> corsOrigins,
            String inputBucket,
            String outputBucket,
            List<String> queues,
            String uploadsQueue,
            String table,
            String region) {

        public static Plan of(VodflowConfig config) {
            VodflowConfig.LocalCloud local = config.localcloud();
            return new Plan(
                    local.host(),
                    local.s3Port(),
                    local.sqsPort(),
                    local.dynamodbPort(),
                    local.oidcPort(),
                    local.dataDir(),
                    local.toolsDir(),
                    local.node(),
                    local.npm(),
                    local.accessKey(),
                    local.secretKey(),
                    Arrays.asList(local.corsOrigins().split(",")),
                    config.storage().inputBucket(),
                    config.storage().outputBucket(),
                    config.queues().all(),
                    config.queues().uploads(),
                    config.database().table(),
                    config.aws().region().orElse("us-east-1"));
        }

        public URI endpoint(int port) {
            return URI.create("http://" + host + ":" + port);
        }

        /** The embedded OpenID Connect provider's issuer. */
        public String issuer() {
            return endpoint(oidcPort) + "/" + EmbeddedOidc.ISSUER;
        }

        StaticCredentialsProvider credentials() {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
        }
    }

    /** Starts every service of the plan, with its buckets, queues and table; closing them stops them. */
    public static List<AutoCloseable> startServices(Plan plan) {
        List<AutoCloseable> services = new ArrayList<>();
        // dynalite is a separate Node process: start it while the in-JVM services come up.
        CompletableFuture<EmbeddedDynamoDb> dynamo = CompletableFuture.supplyAsync(() -> EmbeddedDynamoDb.start(
                plan.node(),
                plan.npm(),
                plan.toolsDir(),
                plan.host(),
                plan.dynamodbPort(),
                plan.dataDir().map(dir -> dir.resolve("dynamodb"))));
        try {
            SqsClient sqs = startSqs(plan, services);
            String uploadsUrl = sqs.getQueueUrl(request -> request.queueName(plan.uploadsQueue()))
                    .queueUrl();
            services.add(EmbeddedS3.start(
                    plan.host(),
                    plan.s3Port(),
                    plan.dataDir().map(dir -> dir.resolve("s3")),
                    plan.accessKey(),
                    plan.secretKey(),
                    plan.corsOrigins(),
                    List.of(plan.inputBucket(), plan.outputBucket()),
                    plan.inputBucket(),
                    new S3EventNotifier(sqs, uploadsUrl, plan.region())));
            services.add(EmbeddedOidc.start(plan.host(), plan.oidcPort(), plan.toolsDir()));
            services.add(dynamo.join());
            createTable(plan);
            return services;
        } catch (RuntimeException e) {
            dynamo.thenAccept(EmbeddedDynamoDb::close);
            ServiceKeeper.closeAll(services);
            throw e instanceof CompletionException && e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /** Starts the embedded SQS with every queue, adding it and its client to {@code services}. */
    private static SqsClient startSqs(Plan plan, List<AutoCloseable> services) {
        SqsClient sqs = SqsClient.builder()
                .httpClient(AwsCrtHttpClient.create())
                .endpointOverride(plan.endpoint(plan.sqsPort()))
                .region(Region.of(plan.region()))
                .credentialsProvider(plan.credentials())
                .build();
        services.add(sqs);
        services.add(EmbeddedSqs.start(
                plan.host(),
                plan.sqsPort(),
                plan.region(),
                plan.dataDir().map(dir -> dir.resolve("sqs")),
                plan.queues(),
                MAX_RECEIVE_COUNT,
                sqs));
        return sqs;
    }

    private static void createTable(Plan plan) {
        try (DynamoDbClient dynamo = DynamoDbClient.builder()
                .httpClient(AwsCrtHttpClient.create())
                .endpointOverride(plan.endpoint(plan.dynamodbPort()))
                .region(Region.of(plan.region()))
                .credentialsProvider(plan.credentials())
                .build()) {
            CreateTableRequest table = VideoTable.createTableRequest(plan.table());
            try {
                dynamo.createTable(table);
            } catch (ResourceInUseException alreadyThere) {
                // Kept from an earlier run in the data directory, perhaps from an older vodflow.
                TableMigration.migrate(dynamo, table, VideoTable::upgrade);
            }
        }
    }
}
