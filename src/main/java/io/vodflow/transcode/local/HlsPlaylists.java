package io.vodflow.transcode.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;
import java.util.regex.Pattern;

/**
 * The HLS playlists the local engine hands over: mended where ffmpeg's muxer falls short, then
 * checked, so that COMPLETE always means a stream a player can open. For a source shorter than a
 * second the muxer rounds the target duration down to 0 and, having measured no bitrate, leaves every
 * variant out of the master playlist. The playlists are read from the working directory; the
 * segments, which leave it once stored, are known by their sizes ({@link OutputUploader#segmentSize}).
 */
final class HlsPlaylists {

    private static final Pattern ZERO_TARGET = Pattern.compile("(?m)^#EXT-X-TARGETDURATION:0$");
    private static final Pattern EVENT = Pattern.compile("(?m)^#EXT-X-PLAYLIST-TYPE:EVENT$");
    private static final Pattern TARGET = Pattern.compile("(?m)^#EXT-X-TARGETDURATION:(\\d+)$");

    private HlsPlaylists() {}

    /**
     * Gives every rendition a target duration of at least 1 s, and the master every rendition; and
     * makes the EVENT playlists ffmpeg grew VOD ones, now that they are complete.
     */
    static void mend(Path directory, JobPlan plan, ToLongFunction<String> segmentSize) throws IOException {
        List<String> playlists = playlists(plan);
        StringBuilder master = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        for (int i = 0; i < playlists.size(); i++) {
            Path playlist = directory.resolve(playlists.get(i));
            String text = Files.readString(playlist);
            String mended = ZERO_TARGET.matcher(text).replaceAll("#EXT-X-TARGETDURATION:1");
            mended = EVENT.matcher(mended).replaceAll("#EXT-X-PLAYLIST-TYPE:VOD");
            if (!mended.equals(text)) {
                Files.writeString(playlist, mended);
            }
            JobPlan.VideoSettings video = plan.hls().renditions().get(i).video();
            master.append("#EXT-X-STREAM-INF:BANDWIDTH=").append(peakBandwidth(mended, segmentSize));
            if (video != null) {
                master.append(",RESOLUTION=").append(video.width()).append('x').append(video.height());
            }
            master.append('\n').append(playlists.get(i)).append('\n');
        }
        Path masterFile = directory.resolve(masterName(plan));
        if (!listsAll(Files.readString(masterFile), playlists)) {
            Files.writeString(masterFile, master);
        }
    }

    /**
     * Why the playlists in {@code directory} would not play, or null when they would.
     *
     * @param segmentSize the size of each finished segment, 0 for one not written
     */
    static String problem(Path directory, JobPlan plan, ToLongFunction<String> segmentSize) throws IOException {
        List<String> playlists = playlists(plan);
        if (!listsAll(Files.readString(directory.resolve(masterName(plan))), playlists)) {
            return "The master playlist does not list every rendition";
        }
        for (String name : playlists) {
            String text = Files.readString(directory.resolve(name));
            var target = TARGET.matcher(text);
            if (!target.find() || Integer.parseInt(target.group(1)) < 1) {
                return "The playlist " + name + " has no valid target duration";
            }
            List<String> segments = segments(text);
            if (segments.isEmpty()) {
                return "The playlist " + name + " lists no segment";
            }
            for (String segment : segments) {
                if (segmentSize.applyAsLong(segment) == 0) {
                    return "The segment " + segment + " of " + name + " was not written";
                }
            }
        }
        return null;
    }

    static String masterName(JobPlan plan) {
        return plan.hls().destination().baseName() + ".m3u8";
    }

    /** The rendition playlists' file names, in the plan's order. */
    static List<String> playlists(JobPlan plan) {
        List<String> names = new ArrayList<>();
        List<JobPlan.Rendition> renditions = plan.hls().renditions();
        for (int i = 0; i < renditions.size(); i++) {
            names.add(plan.hls().destination().baseName() + FfmpegCommand.variantName(renditions.get(i), i) + ".m3u8");
        }
        return names;
    }

    private static boolean listsAll(String master, List<String> playlists) {
        List<String> listed = master.lines().map(String::strip).toList();
        return listed.containsAll(playlists);
    }

    /** A playlist cut after its first segment, still growing: no later segment, no end. */
    static String firstSegmentOnly(String playlist) {
        StringBuilder first = new StringBuilder();
        for (String line : playlist.lines().toList()) {
            first.append(line).append('\n');
            if (!line.isBlank() && !line.startsWith("#")) {
                return first.toString();
            }
        }
        return "";
    }

    /** The segment file names a playlist lists. */
    static List<String> segments(String playlist) {
        return playlist.lines()
                .map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .toList();
    }

    /** The highest bitrate of any segment, in bits per second, as HLS defines BANDWIDTH. */
    private static long peakBandwidth(String playlist, ToLongFunction<String> segmentSize) {
        long peak = 1;
        double duration = 0;
        for (String line : playlist.lines().map(String::strip).toList()) {
            if (line.startsWith("#EXTINF:")) {
                duration = Double.parseDouble(line.substring(8, line.indexOf(',')));
            } else if (!line.isEmpty() && !line.startsWith("#") && duration > 0) {
                peak = Math.max(peak, Math.round(segmentSize.applyAsLong(line) * 8 / duration));
            }
        }
        return peak;
    }
}
