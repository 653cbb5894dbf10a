package io.vodflow.transcode.mediaconvert;

import io.vodflow.config.AwsClients;
import io.vodflow.config.CrtThreadClassLoader;
import io.vodflow.config.VodflowConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import software.amazon.awssdk.http.crt.AwsCrtAsyncHttpClient;
import software.amazon.awssdk.services.mediaconvert.MediaConvertAsyncClient;

/**
 * The MediaConvert client, on the regional endpoint (DescribeEndpoints is deprecated) or the
 * configured one, with a deadline on every call. Only built when the MediaConvert backend is in use.
 */
@ApplicationScoped
class MediaConvertClientProducer {

    @Produces
    @ApplicationScoped
    MediaConvertAsyncClient mediaConvert(AwsClients aws, VodflowConfig config) {
        var builder = MediaConvertAsyncClient.builder()
                .httpClientBuilder(AwsCrtAsyncHttpClient.builder())
                .overrideConfiguration(override -> override.apiCallTimeout(
                                config.mediaconvert().callTimeout())
                        .addExecutionInterceptor(new CrtThreadClassLoader()));
        config.mediaconvert().endpoint().ifPresent(builder::endpointOverride);
        return aws.configure(builder).build();
    }

    void close(@Disposes MediaConvertAsyncClient client) {
        client.close();
    }
}
