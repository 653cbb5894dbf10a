package io.vodflow.storage;

/** An {@code s3://bucket/key} location, as MediaConvert settings and events name files. */
public record S3Uri(String bucket, String key) {

    /** @throws IllegalArgumentException if {@code uri} is not {@code s3://bucket/key} */
    public static S3Uri parse(String uri) {
        int slash = uri == null ? -1 : uri.indexOf('/', 5);
        if (uri == null || !uri.startsWith("s3://") || slash < 0) {
            throw new IllegalArgumentException("not an s3:// location: " + uri);
        }
        return new S3Uri(uri.substring(5, slash), uri.substring(slash + 1));
    }

    /** The key of another file in the same "directory". */
    public String sibling(String fileName) {
        int slash = key.lastIndexOf('/');
        return slash < 0 ? fileName : key.substring(0, slash + 1) + fileName;
    }

    /** The last path segment: MediaConvert's base name for the files of an output group. */
    public String baseName() {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    /** The s3:// URI of another file in the same "directory". */
    public String uri(String fileName) {
        return "s3://" + bucket + "/" + sibling(fileName);
    }

    @Override
    public String toString() {
        return "s3://" + bucket + "/" + key;
    }
}
