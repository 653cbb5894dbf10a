package io.vodflow.media;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A client's optional limits on the ABR ladder, as the original pattern's width/height/bitrate
 * metadata: declared when a video is created (the {@code output} field), kept with the video, applied
 * when the job template is fitted to the source.
 */
@Schema(name = "RenditionLimits")
public record RenditionLimits(
        @Schema(
                        description = "Best rendition wanted, named as 720p is: by its shorter side, in pixels"
                                + " (the height of a landscape video, the width of a portrait one)",
                        example = "720")
                Integer maxHeight,
        @Schema(description = "Highest bitrate wanted, in bits per second", example = "3000000") Integer maxBitrate) {}
