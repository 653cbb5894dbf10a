package io.vodflow.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.http.crt.AwsCrtAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/**
 * The AWS clients that have no Quarkus extension here, built from {@code vodflow.aws.*}. S3 and DynamoDB
 * clients come from the Quarkus amazon-services extensions ({@code quarkus.s3.*},
 * {@code quarkus.dynamodb.*}).
 *
 * <p>The SQS connector of SmallRye Reactive Messaging picks up this SQS client for every channel that
 * sets no region of its own, so consumers and the rest of the code share one configuration.
 */
@ApplicationScoped
public class AwsClients {

    private static final Duration SQS_CALL_TIMEOUT = Duration.ofSeconds(30);

    private final VodflowConfig.Aws aws;

    AwsClients(VodflowConfig config) {
        this.aws = config.aws();
    }

    @Produces
    @ApplicationScoped
    SqsAsyncClient sqs() {
        // Long polls wait up to 20 s: no call, poll or not, waits longer than this for SQS.
        var builder = SqsAsyncClient.builder()
                .httpClientBuilder(AwsCrtAsyncHttpClient.builder())
                .overrideConfiguration(override ->
                        override.apiCallTimeout(SQS_CALL_TIMEOUT).addExecutionInterceptor(new CrtThreadClassLoader()));
        aws.sqsEndpoint().ifPresent(builder::endpointOverride);
        return configure(builder).build();
    }

    void close(@Disposes SqsAsyncClient client) {
        client.close();
    }

    /** Applies the region and credentials settings shared by every client built here. */
    public <B extends AwsClientBuilder<B, ?>> B configure(B builder) {
        aws.region().map(Region::of).ifPresent(builder::region);
        return builder.credentialsProvider(credentials());
    }

    private AwsCredentialsProvider credentials() {
        if (aws.accessKeyId().isPresent() && aws.secretAccessKey().isPresent()) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(
                    aws.accessKeyId().get(), aws.secretAccessKey().get()));
        }
        return DefaultCredentialsProvider.builder().build();
    }
}
