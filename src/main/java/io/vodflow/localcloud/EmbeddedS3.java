package io.vodflow.localcloud;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.CrossOriginResourceSharing;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.filesystem.reference.FilesystemConstants;

/**
 * S3 for dev mode and tests: S3Proxy in-process, with V4 signatures checked like S3 does (presigned
 * URLs included), browser CORS for direct uploads, and S3 event notifications for one bucket.
 */
final class EmbeddedS3 implements AutoCloseable {

    private final S3Proxy proxy;
    private final BlobStoreContext context;

    private EmbeddedS3(S3Proxy proxy, BlobStoreContext context) {
        this.proxy = proxy;
        this.context = context;
    }

    /**
     * Starts S3Proxy with the given buckets.
     *
     * @param dataDir where objects persist; in memory when empty
     * @param notifier told about every object created in {@code notifiedBucket}
     */
    static EmbeddedS3 start(
            String host,
            int port,
            Optional<Path> dataDir,
            String accessKey,
            String secretKey,
            List<String> corsOrigins,
            List<String> buckets,
            String notifiedBucket,
            S3EventNotifier notifier) {
        BlobStoreContext context = blobStore(dataDir, accessKey, secretKey);
        BlobStore store = context.getBlobStore();
        for (String bucket : buckets) {
            store.createContainerInLocation(null, bucket);
        }
        // Browsers PUT with Content-Type and read the ETag of each part to complete a multipart upload.
        CrossOriginResourceSharing cors = new CrossOriginResourceSharing(
                corsOrigins,
                List.of("GET", "HEAD", "PUT", "POST"),
                List.of("*"),
                List.of("ETag", "x-amz-request-id"),
                "false");
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(new NotifyingBlobStore(store, notifiedBucket, notifier))
                .endpoint(URI.create("http://" + host + ":" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                .corsRules(cors)
                .ignoreUnknownHeaders(true)
                .build();
        try {
            proxy.start(); // Jetty binds synchronously and throws if the port is taken
        } catch (Exception e) {
            context.close();
            throw new IllegalStateException(
                    "The embedded S3 could not listen on " + host + ":" + port
                            + " (is the port free? set vodflow.localcloud.s3-port to change it)",
                    e);
        }
        return new EmbeddedS3(proxy, context);
    }

    /** Objects on disk under {@code dataDir}, or in memory when it is empty. */
    private static BlobStoreContext blobStore(Optional<Path> dataDir, String accessKey, String secretKey) {
        return dataDir.map(dir -> {
                    Properties properties = new Properties();
                    properties.setProperty(
                            FilesystemConstants.PROPERTY_BASEDIR,
                            dir.toAbsolutePath().toString());
                    return ContextBuilder.newBuilder("filesystem")
                            .credentials(accessKey, secretKey)
                            .overrides(properties)
                            .buildView(BlobStoreContext.class);
                })
                .orElseGet(() -> ContextBuilder.newBuilder("transient")
                        .credentials(accessKey, secretKey)
                        .buildView(BlobStoreContext.class));
    }

    @Override
    public void close() throws Exception {
        try {
            proxy.stop();
        } finally {
            context.close();
        }
    }
}
