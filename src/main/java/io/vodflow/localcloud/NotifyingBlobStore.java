package io.vodflow.localcloud;

import java.util.List;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.BlobMetadata;
import org.jclouds.blobstore.domain.MultipartPart;
import org.jclouds.blobstore.domain.MultipartUpload;
import org.jclouds.blobstore.options.PutOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;

/**
 * Gives S3Proxy the one S3 feature it lacks: event notifications. Every completed PUT and multipart
 * upload into the watched bucket is reported after it succeeded, as S3 does.
 */
final class NotifyingBlobStore extends ForwardingBlobStore {

    private final String bucket;
    private final S3EventNotifier notifier;

    NotifyingBlobStore(BlobStore delegate, String bucket, S3EventNotifier notifier) {
        super(delegate);
        this.bucket = bucket;
        this.notifier = notifier;
    }

    @Override
    public String putBlob(String container, Blob blob) {
        return putBlob(container, blob, PutOptions.NONE);
    }

    @Override
    public String putBlob(String container, Blob blob, PutOptions options) {
        String eTag = super.putBlob(container, blob, options);
        if (bucket.equals(container)) {
            BlobMetadata stored = blobMetadata(container, blob.getMetadata().getName());
            notifier.objectCreated("ObjectCreated:Put", container, stored.getName(), stored.getSize(), eTag);
        }
        return eTag;
    }

    @Override
    public String completeMultipartUpload(MultipartUpload upload, List<MultipartPart> parts) {
        String eTag = super.completeMultipartUpload(upload, parts);
        if (bucket.equals(upload.containerName())) {
            BlobMetadata stored = blobMetadata(upload.containerName(), upload.blobName());
            notifier.objectCreated(
                    "ObjectCreated:CompleteMultipartUpload",
                    upload.containerName(),
                    upload.blobName(),
                    stored.getSize(),
                    eTag);
        }
        return eTag;
    }
}
