package io.vodflow.testing;

import java.util.List;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Puts a playable HLS set in storage where a job event says a job left one, for tests that send job
 * events without running a job: the master playlist listing every variant, each variant playlist with
 * one segment, and the segments.
 */
public final class StoredOutputs {

    private StoredOutputs() {}

    /** @param variants the variant playlists' file names, as the master playlist lists them */
    public static void write(S3Client s3, String bucket, String masterKey, List<String> variants) {
        String directory = masterKey.substring(0, masterKey.lastIndexOf('/') + 1);
        StringBuilder master = new StringBuilder("#EXTM3U\n");
        for (String variant : variants) {
            master.append("#EXT-X-STREAM-INF:BANDWIDTH=1000000\n")
                    .append(variant)
                    .append('\n');
            String segment = variant.replace(".m3u8", "_00001.ts");
            put(
                    s3,
                    bucket,
                    directory + variant,
                    "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\n" + segment + "\n#EXT-X-ENDLIST\n");
            put(s3, bucket, directory + segment, "G");
        }
        put(s3, bucket, masterKey, master.toString());
    }

    private static void put(S3Client s3, String bucket, String key, String content) {
        s3.putObject(put -> put.bucket(bucket).key(key), RequestBody.fromString(content));
    }
}
