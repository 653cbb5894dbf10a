package io.vodflow.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Files the tests keep under {@code src/test/resources}: real sample media ({@code media/}) and the
 * documented AWS event samples ({@code aws-events/}), each folder with a README naming sources and
 * licences. The repository stands alone: nothing here is read from outside it.
 */
public final class TestResources {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TestResources() {}

    /** A sample video or audio file, as a path a test can upload or hand to ffmpeg. */
    public static Path media(String name) {
        return path("media/" + name);
    }

    /** A documented AWS event sample, as text. */
    public static String awsEvent(String name) {
        try {
            return Files.readString(path("aws-events/" + name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A documented job event as it arrives for a video: userMetadata naming the video and attempt 1,
     * and the files of AWS's sample under {@code filesUnder}, an {@code s3://bucket/prefix/}.
     */
    public static ObjectNode jobEvent(String name, String videoId, String filesUnder) {
        try {
            ObjectNode event =
                    (ObjectNode) JSON.readTree(awsEvent(name).replace("s3://DOC-EXAMPLE-BUCKET/", filesUnder));
            ((ObjectNode) event.path("detail"))
                    .putObject("userMetadata")
                    .put("videoId", videoId)
                    .put("attempt", "1");
            return event;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path path(String resource) {
        URL url = TestResources.class.getClassLoader().getResource(resource);
        if (url == null) {
            throw new IllegalArgumentException("No test resource " + resource);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
