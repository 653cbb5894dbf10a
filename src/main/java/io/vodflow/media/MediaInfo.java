package io.vodflow.media;

/**
 * What ffprobe found in a stored source, and what storage says about the object.
 *
 * @param width picture width in square pixels (anamorphic sources are stretched to their shape)
 * @param rotation degrees clockwise a player turns the picture (0, 90, 180, 270)
 */
public record MediaInfo(
        long storedSizeBytes,
        String storedContentType,
        String container,
        String videoCodec,
        String audioCodec,
        int width,
        int height,
        int rotation,
        double frameRate,
        long durationMs,
        int audioChannels) {

    public boolean hasVideo() {
        return videoCodec != null;
    }

    public boolean hasAudio() {
        return audioCodec != null;
    }

    /** Width as displayed, after rotation. */
    public int displayWidth() {
        return rotation % 180 == 0 ? width : height;
    }

    /** Height as displayed, after rotation. */
    public int displayHeight() {
        return rotation % 180 == 0 ? height : width;
    }

    /** The same media, with the size and type storage reports for the object. */
    public MediaInfo stored(long sizeBytes, String contentType) {
        return new MediaInfo(
                sizeBytes,
                contentType,
                container,
                videoCodec,
                audioCodec,
                width,
                height,
                rotation,
                frameRate,
                durationMs,
                audioChannels);
    }
}
