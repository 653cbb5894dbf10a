package io.vodflow.video;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Text shown to a video's owner that an engine or the AWS SDK wrote: MediaConvert's error messages
 * quote the input's {@code s3://} path and IAM role ARNs, the SDK appends request ids, ffmpeg names
 * its work files. Those say how the service is built, not what went wrong for the owner, so they are
 * replaced by what they stand for; the whole text stays in the operators' log.
 */
final class OwnerText {

    private static final List<Map.Entry<Pattern, String>> INTERNALS = List.of(
            Map.entry(Pattern.compile("\\s*\\(Service: [^)]*\\)"), ""),
            Map.entry(Pattern.compile("(?i)\\s*,?\\s*request id:?\\s*[\\w-]+"), ""),
            Map.entry(Pattern.compile("s3://[^\\s\\]\\[\"',;)]+"), "a stored file"),
            Map.entry(Pattern.compile("arn:aws[\\w-]*:[^\\s\\]\\[\"',;)]+"), "an AWS resource"),
            Map.entry(Pattern.compile("https?://[^\\s\\]\\[\"',;)]+"), "a URL"),
            // A file system path (ffmpeg's work files), not a JSON pointer such as /outputGroups/0.
            Map.entry(
                    Pattern.compile(
                            "(?<![\\w.])/(?:tmp|var|home|root|opt|srv|mnt|data|deployments|work)(/[\\w.-]+)+/?"),
                    "a work file"));

    private OwnerText() {}

    static String redact(String text) {
        if (text == null) {
            return null;
        }
        String redacted = text;
        for (Map.Entry<Pattern, String> internal : INTERNALS) {
            redacted = internal.getKey().matcher(redacted).replaceAll(internal.getValue());
        }
        return redacted;
    }
}
